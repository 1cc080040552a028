// The walls between the code's parts, as one ESLint rule: src/api imports nothing of ours,
// the server never imports the client nor the client the server, and the shared data-folder
// module imports neither. Relative paths are resolved, so "../../client/x.js" from any depth
// is caught and a folder merely named "client" elsewhere is not.
import { dirname, relative, resolve, sep } from "node:path";

/** The part of the code a file belongs to, by its path under the project root. */
function partOf(root, file) {
  const rel = relative(root, file).split(sep);
  if (rel[0] !== "src") return "outside";
  return { api: "api", server: "server", client: "client", "data-folder": "data-folder" }[rel[1]] ?? "src";
}

// For each part, the parts it may import from (a package from node_modules is always allowed).
const ALLOWED = {
  api: ["api"],
  "data-folder": ["data-folder", "api"],
  server: ["server", "api", "data-folder"],
  client: ["client", "api", "data-folder"],
};

/** @type {import("eslint").Rule.RuleModule} */
export const wallsRule = {
  meta: {
    type: "problem",
    docs: { description: "keep src/api, src/server, src/client and src/data-folder apart" },
    schema: [],
    messages: { wall: "{{from}} may not import from {{to}} ({{source}}): {{why}}" },
  },
  create(context) {
    const root = context.cwd;
    const from = partOf(root, context.filename);
    const allowed = ALLOWED[from];
    if (!allowed) return {};
    const check = (node) => {
      const source = node?.type === "Literal" && typeof node.value === "string" ? node.value : undefined;
      if (source === undefined || !source.startsWith(".")) return;
      const to = partOf(root, resolve(dirname(context.filename), source));
      if (allowed.includes(to)) return;
      const why = from === "api" ? "the contract code stands alone, shared by server and client"
        : from === "data-folder" ? "the data folder's contract is shared by server and client"
        : "the server and the client meet only through src/api (and src/data-folder)";
      context.report({ node, messageId: "wall", data: { from: `src/${from}`, to: to === "outside" ? "outside src" : `src/${to}`, source, why } });
    };
    return {
      ImportDeclaration: (node) => check(node.source),
      ExportNamedDeclaration: (node) => check(node.source),
      ExportAllDeclaration: (node) => check(node.source),
      ImportExpression: (node) => check(node.source),
      TSImportType: (node) => check(node.argument?.type === "TSLiteralType" ? node.argument.literal : node.argument),
      TSExternalModuleReference: (node) => check(node.expression),
    };
  },
};

export default { rules: { walls: wallsRule } };
