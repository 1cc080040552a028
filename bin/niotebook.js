#!/usr/bin/env node
// React's production build: the development build is several times slower per frame.
process.env.NODE_ENV ??= "production";
await import("../dist/client/main.js");
