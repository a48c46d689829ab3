// The node script that evaluates a prisma.config.* with the project's own Prisma loader
// (`loadConfigFromFile` of the `@prisma/config` package that the project's `prisma` depends on),
// so every dynamic config (dotenv, helpers, computed paths) reads exactly as Prisma reads it.
// Run as `node -e <script> -- CWD [CONFIG_FILE]` in CWD; prints one JSON object on stdout:
// {version, file, schema, migrations_path, url, direct_url, shadow_database_url, error}.
// Embedded in the binary so that it always matches it and needs no install step.
#pragma once

namespace ratchet_cli {

inline constexpr const char* prisma_config_loader_js = R"JS(
'use strict';
const path = require('node:path');
const { createRequire } = require('node:module');
const args = process.argv.slice(1);
const cwd = args[0];
const configFile = args[1] || undefined;
const out = {};
const write = () => process.stdout.write(JSON.stringify(out) + '\n');
(async () => {
  try {
    const fromProject = createRequire(path.join(cwd, 'package.json'));
    const prismaPackage = fromProject.resolve('prisma/package.json');
    out.version = require(prismaPackage).version;
    const config = createRequire(prismaPackage)('@prisma/config');
    // Prisma's own diagnostics (e.g. "Loaded Prisma config from ...") are not printed: ratchet
    // prints its own opening lines.
    const r = await config.loadConfigFromFile({ configFile, configRoot: cwd });
    if (r.error) {
      out.file = r.resolvedPath || undefined;
      const e = r.error.error;
      out.error = r.error._tag === 'ConfigFileNotFound' ? 'config file not found'
        : (e && e.message ? e.message.split('\n')[0] : r.error._tag);
      return write();
    }
    const c = r.config;
    out.file = c.loadedFromFile || undefined;
    out.schema = c.schema || undefined;
    out.migrations_path = (c.migrations && c.migrations.path) || undefined;
    const ds = c.datasource || {};
    if (typeof ds.url === 'string') out.url = ds.url;
    if (typeof ds.directUrl === 'string') out.direct_url = ds.directUrl;
    out.shadow_database_url = typeof ds.shadowDatabaseUrl === 'string';
  } catch (e) {
    out.error = String((e && e.message) || e).split('\n')[0];
  }
  write();
})().then(() => process.exit(0));
)JS";

}  // namespace ratchet_cli
