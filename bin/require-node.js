// Both commands need Node.js 24.7 or newer (argon2 in node:crypto, for the server and for the
// one `niotebook local` starts): say so plainly instead of failing later on a missing export.
const [major, minor] = process.versions.node.split(".").map(Number);
if (major < 24 || (major === 24 && minor < 7)) {
  process.stderr.write(`niotebook needs Node.js 24.7 or newer; this is ${process.version} (${process.execPath}).\n` +
    "Get it with: npm install --prefix ~/.node24 node@24 && export PATH=~/.node24/node_modules/.bin:$PATH\n");
  process.exit(1);
}
