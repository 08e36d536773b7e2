/**
 * The action's version: package.json's `version`, the one place it is written. ncc inlines the JSON
 * at bundle time, so dist/ carries it and nothing reads package.json at run time. The SARIF driver
 * version (and anything else that names the release) comes from here.
 */
import pkg from '../package.json' with { type: 'json' }

export const VERSION: string = pkg.version
