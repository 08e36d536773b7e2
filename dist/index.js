import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 9407:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _main_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(5154);

await (0,_main_js__WEBPACK_IMPORTED_MODULE_0__/* .run */ .e)();

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 5154:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  e: () => (/* binding */ run)
});

// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __nccwpck_require__(8161);
// EXTERNAL MODULE: ./node_modules/@actions/core/lib/command.js
var command = __nccwpck_require__(9635);
// EXTERNAL MODULE: ./node_modules/@actions/core/lib/file-command.js + 1 modules
var file_command = __nccwpck_require__(7063);
// EXTERNAL MODULE: ./node_modules/@actions/core/lib/utils.js
var utils = __nccwpck_require__(4679);
// EXTERNAL MODULE: ./node_modules/@actions/core/lib/summary.js
var summary = __nccwpck_require__(1170);
;// CONCATENATED MODULE: ./src/core.ts
/**
 * The parts of @actions/core this action uses, loaded without @actions/core's entry point.
 *
 * Why: `@actions/core` statically imports its OIDC client, which pulls in @actions/http-client and
 * undici — about 70 ms of every cold start (measured with `npm run bench`), although only
 * getIDToken needs them. So the workflow-command and summary modules of @actions/core are imported
 * directly (the same code, same escaping and masking rules), and the full package is loaded only
 * when an OIDC token is requested. @actions/core is pinned exactly in package.json because of this.
 */





function setSecret(secret) {
    if (secret !== '')
        (0,command/* issueCommand */.L)('add-mask', {}, secret);
}
function setOutput(name, value) {
    if (process.env.GITHUB_OUTPUT) {
        (0,file_command/* issueFileCommand */.n)('OUTPUT', (0,file_command/* prepareKeyValueMessage */.v)(name, value));
        return;
    }
    process.stdout.write(external_node_os_.EOL);
    (0,command/* issueCommand */.L)('set-output', { name }, (0,utils/* toCommandValue */.E)(value));
}
function saveState(name, value) {
    if (process.env.GITHUB_STATE) {
        (0,file_command/* issueFileCommand */.n)('STATE', (0,file_command/* prepareKeyValueMessage */.v)(name, value));
        return;
    }
    (0,command/* issueCommand */.L)('save-state', { name }, (0,utils/* toCommandValue */.E)(value));
}
function getState(name) {
    return process.env[`STATE_${name}`] || '';
}
function setFailed(message) {
    process.exitCode = 1;
    error(message);
}
function isDebug() {
    return process.env.RUNNER_DEBUG === '1';
}
function debug(message) {
    (0,command/* issueCommand */.L)('debug', {}, message);
}
function error(message, properties = {}) {
    (0,command/* issueCommand */.L)('error', (0,utils/* toCommandProperties */.k)(properties), message instanceof Error ? message.toString() : message);
}
function warning(message, properties = {}) {
    (0,command/* issueCommand */.L)('warning', (0,utils/* toCommandProperties */.k)(properties), message instanceof Error ? message.toString() : message);
}
function notice(message, properties = {}) {
    (0,command/* issueCommand */.L)('notice', (0,utils/* toCommandProperties */.k)(properties), message instanceof Error ? message.toString() : message);
}
function info(message) {
    process.stdout.write(message + external_node_os_.EOL);
}
function startGroup(name) {
    (0,command/* issue */.s)('group', name);
}
function endGroup() {
    (0,command/* issue */.s)('endgroup');
}
async function group(name, fn) {
    startGroup(name);
    try {
        return await fn();
    }
    finally {
        endGroup();
    }
}
/** A GitHub OIDC token (masked by @actions/core before it returns). Loads the full package lazily. */
async function getIDToken(audience) {
    const core = await loadCore();
    return core.getIDToken(audience);
}
/** Starts loading what getIDToken needs, so it overlaps with other start-up work. */
function preloadOidc() {
    loadCore().catch(() => undefined);
}
let full;
/** The full package, loaded once (one import() site: one chunk in dist/). */
function loadCore() {
    full ??= __nccwpck_require__.e(/* import() */ 216).then(__nccwpck_require__.bind(__nccwpck_require__, 8216));
    return full;
}

// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __nccwpck_require__(1455);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
;// CONCATENATED MODULE: ./src/errors.ts
/** Text of any thrown value, without stack noise. */
function errorMessage(err) {
    if (err instanceof Error)
        return err.message;
    if (typeof err === 'string')
        return err;
    try {
        return JSON.stringify(err);
    }
    catch {
        return String(err);
    }
}
/** Name of an error as the AWS SDK surfaces it (`AccessDenied`, `ThrottlingException`, …). */
function errorName(err) {
    if (err && typeof err === 'object') {
        const e = err;
        for (const v of [e.name, e.Code, e.code])
            if (typeof v === 'string' && v !== 'Error')
                return v;
    }
    return '';
}
/** HTTP status of an AWS SDK error, when the service answered at all. */
function httpStatus(err) {
    const meta = err?.$metadata;
    return typeof meta?.httpStatusCode === 'number' ? meta.httpStatusCode : undefined;
}
/**
 * An error meant for the user: one line that says what is wrong and what to do. main() prints it
 * as is; anything else is prefixed with the phase it happened in.
 */
class ActionError extends Error {
    name = 'ActionError';
}
/** Bad inputs, all of them: each line names the input and the expected form. */
class InputError extends ActionError {
    problems;
    constructor(problems) {
        super(problems.join('\n'));
        this.problems = problems;
        this.name = 'InputError';
    }
}
/** Prefix an error with context, keeping user-facing errors as they are. */
function withContext(context, err) {
    if (err instanceof ActionError)
        return err;
    return new Error(`${context}: ${errorMessage(err)}`, { cause: err });
}

;// CONCATENATED MODULE: ./src/audit/image.ts
/**
 * What an image is made of, from its configuration and history: layers with the instruction that
 * made each, a recovered Dockerfile, the runtime configuration, supply-chain labels. Pure: no I/O.
 */
/** Splits `/bin/sh -c #(nop)  ENV A=b` and friends into a Dockerfile instruction. */
function instructionOf(createdBy) {
    let text = createdBy.trim();
    text = text.replace(/\s+# buildkit$/, '');
    const buildArgs = [];
    let run = false;
    if (/^RUN\s/.test(text)) {
        run = true;
        text = text.slice(4).trim();
    }
    // Build args of a RUN: `|2 A=1 B=2 /bin/sh -c …`.
    const args = /^\|(\d+)\s+/.exec(text);
    if (args) {
        let rest = text.slice(args[0].length);
        for (let i = 0; i < Number(args[1]); i++) {
            const pair = /^([A-Za-z_][A-Za-z0-9_]*)=(\S*)\s*/.exec(rest);
            if (!pair)
                break;
            buildArgs.push([pair[1], pair[2]]);
            rest = rest.slice(pair[0].length);
        }
        text = rest;
        run = true;
    }
    const nop = /^\/bin\/sh -c #\(nop\)\s*/.exec(text);
    if (nop)
        return { instruction: text.slice(nop[0].length).trim(), buildArgs };
    const sh = /^\/bin\/sh -c\s+/.exec(text);
    if (sh)
        return { instruction: `RUN ${text.slice(sh[0].length).trim()}`, buildArgs };
    if (run)
        return { instruction: `RUN ${text}`, buildArgs };
    if (/^[A-Z]+(\s|$)/.test(text) && INSTRUCTIONS.has(text.split(/\s/)[0])) {
        return { instruction: text, buildArgs };
    }
    return { instruction: text === '' ? '# (no command recorded)' : `RUN ${text}`, buildArgs };
}
const INSTRUCTIONS = new Set([
    'ADD',
    'ARG',
    'CMD',
    'COPY',
    'ENTRYPOINT',
    'ENV',
    'EXPOSE',
    'FROM',
    'HEALTHCHECK',
    'LABEL',
    'MAINTAINER',
    'ONBUILD',
    'RUN',
    'SHELL',
    'STOPSIGNAL',
    'USER',
    'VOLUME',
    'WORKDIR',
]);
const LAYER_MAKING = /^(RUN|COPY|ADD|WORKDIR)\b/;
/**
 * Which history entries made a layer when only `docker history` is at hand (no `empty_layer`): sizes
 * above zero did; when that is fewer than the layer count, zero-sized RUN/COPY/ADD/WORKDIR entries are
 * taken too, oldest first.
 */
function inferEmptyLayers(entries, layerCount) {
    const empty = entries.map((e) => e.size <= 0);
    let missing = layerCount - empty.filter((e) => !e).length;
    for (const pass of [true, false]) {
        for (let i = 0; i < entries.length && missing > 0; i++) {
            const e = entries[i];
            if (!empty[i])
                continue;
            if (pass && !LAYER_MAKING.test(instructionOf(e.createdBy).instruction))
                continue;
            empty[i] = false;
            missing--;
        }
    }
    return empty;
}
/** Layers in order, each tied to the history entry that made it; the biggest marked. */
function layersOf(history, manifestLayers, diffIds) {
    const count = manifestLayers?.length ?? diffIds.length;
    const makers = history.flatMap((h, i) => (h.emptyLayer ? [] : [i]));
    // When the history has fewer layer entries than layers (squashed images), the last ones match.
    const offset = makers.length - count;
    const layers = [];
    for (let i = 0; i < count; i++) {
        const layer = { index: i + 1, big: false };
        const m = manifestLayers?.[i];
        if (m) {
            layer.size = m.size;
            layer.digest = m.digest;
        }
        const d = diffIds[i];
        if (d !== undefined)
            layer.diffId = d;
        const h = makers[i + offset];
        if (h !== undefined) {
            layer.historyIndex = h;
            layer.instruction = instructionOf(history[h]?.createdBy ?? '').instruction;
        }
        layers.push(layer);
    }
    markBiggest(layers);
    return layers;
}
/** The three biggest layers that hold at least a tenth of the image. */
function markBiggest(layers) {
    const total = layers.reduce((s, l) => s + (l.size ?? 0), 0);
    if (total === 0)
        return;
    const sorted = [...layers].filter((l) => (l.size ?? 0) > 0).sort((a, b) => (b.size ?? 0) - (a.size ?? 0));
    for (const l of sorted.slice(0, layers.length > 3 ? 3 : 1))
        if ((l.size ?? 0) >= total / 10)
            l.big = true;
}
/** A Dockerfile recovered from the history; every entry says which layer it made, if any. */
function recoverDockerfile(history, layers) {
    const lines = ['# Recovered from the image history, oldest first. The FROM line is not recorded:'];
    lines.push('# the first entries may come from the base image.');
    const byHistory = new Map(layers.flatMap((l) => (l.historyIndex === undefined ? [] : [[l.historyIndex, l]])));
    history.forEach((h, i) => {
        const { instruction, buildArgs } = instructionOf(h.createdBy);
        const layer = byHistory.get(i);
        if (layer) {
            lines.push(`# layer ${layer.index}${layer.size !== undefined ? `, ${formatBytes(layer.size)}` : ''}`);
        }
        else {
            lines.push('# (empty layer: metadata only)');
        }
        for (const [name] of buildArgs)
            lines.push(`ARG ${name}`);
        lines.push(instruction);
    });
    return `${lines.join('\n')}\n`;
}
/** Env names whose values are shown: clearly harmless configuration. */
function isHarmlessEnv(name) {
    return (/^(PATH|LANG|LANGUAGE|TZ|HOME|SHELL|TERM|HOSTNAME|DEBIAN_FRONTEND|NODE_ENV|RAILS_ENV|RACK_ENV|FLASK_ENV|APP_ENV|GOPATH|GOROOT|GOTOOLCHAIN|CGO_ENABLED|GOFLAGS|PYTHONUNBUFFERED|PYTHONDONTWRITEBYTECODE|PYTHONPATH|PIP_NO_CACHE_DIR|PIP_DISABLE_PIP_VERSION_CHECK|JAVA_OPTS|NVIDIA_VISIBLE_DEVICES|SSL_CERT_FILE|SSL_CERT_DIR)$/.test(name) ||
        /^LC_[A-Z]+$/.test(name) ||
        /_(VERSION|HOME|ROOT|DIR|SHA256|SHA512|CHECKSUM)$/.test(name));
}
function isRootUser(user) {
    const u = (user ?? '').trim();
    const name = u.split(':')[0] ?? '';
    return name === '' || name === 'root' || name === '0';
}
const OCI_LABELS = [
    'org.opencontainers.image.source',
    'org.opencontainers.image.revision',
    'org.opencontainers.image.created',
];
function formatBytes(n) {
    if (n < 1024)
        return `${n} B`;
    const units = ['KiB', 'MiB', 'GiB', 'TiB'];
    let v = n;
    let u = -1;
    while (v >= 1024 && u < units.length - 1) {
        v /= 1024;
        u++;
    }
    return `${v.toFixed(v < 10 ? 1 : 0)} ${units[u]}`;
}
/** Splits `NAME=value` env entries. */
function splitEnv(env) {
    return (env ?? []).map((e) => {
        const i = e.indexOf('=');
        return i < 0 ? [e, ''] : [e.slice(0, i), e.slice(i + 1)];
    });
}

// EXTERNAL MODULE: external "node:crypto"
var external_node_crypto_ = __nccwpck_require__(7598);
;// CONCATENATED MODULE: ./src/audit/secrets.ts
/**
 * Credentials left in an image's metadata: history commands, build args, env values, labels.
 * Pure: no I/O. The caller hands in `onFound`, which masks each value the moment it is found.
 *
 * Two kinds of rules:
 * - shape rules (AWS key IDs, AWS secret keys next to their name, private key blocks, GitHub
 *   tokens): a string in a credential's exact shape is reported even when it reads like an example
 *   (AWS's documented AKIAIOSFODNN7EXAMPLE is reported): a scanner cannot tell a pasted example from
 *   a real key, and either one in an image means credentials were handled in the build.
 * - assignment rules (`*_TOKEN=`, `*_SECRET=`, `*PASSWORD*=`, `*_KEY=`, URL user:password@): only
 *   values that are not placeholders, variable references, booleans, paths or short (< 8 chars).
 */

const AWS_KEY_ID = /(?<![A-Z0-9])((?:AKIA|ASIA)[A-Z0-9]{16})(?![A-Z0-9])/g;
const AWS_SECRET = /aws[_.-]?secret[_.-]?access[_.-]?key["']?\s*(?:=|:|\s)\s*["']?([A-Za-z0-9/+]{40})(?![A-Za-z0-9/+=])/gi;
const PRIVATE_KEY = /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END [A-Z0-9 ]*-----|$)/g;
const GITHUB_TOKEN = /(?<![A-Za-z0-9_])(gh[pousr]_[A-Za-z0-9]{36,251}|github_pat_[A-Za-z0-9_]{22,244})(?![A-Za-z0-9_])/g;
const URL_PASSWORD = /\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]+:([^\s@/'"]+)@[^\s/'"]/gi;
/** NAME=value, NAME: value, NAME value (flags like --password value are covered by NAME). */
const ASSIGNMENT = /(?<![A-Za-z0-9_.-])([A-Za-z_][A-Za-z0-9_.-]*)["']?[ \t]*(?:=|:[ \t]|[ \t](?=["']))[ \t]*("[^"\n]*"|'[^'\n]*'|[^\s"';&|)<>]+)/g;
/** --password value, --token=value. */
const FLAG = /(?<![A-Za-z0-9_-])--([A-Za-z][A-Za-z0-9-]*)(?:=|[ \t]+)("[^"\n]*"|'[^'\n]*'|[^\s"';&|)<>-][^\s"';&|)<>]*)/g;
/** Does a variable / label / flag name announce a credential? */
function isSecretName(name) {
    const n = name
        .toUpperCase()
        .replace(/[^A-Z0-9]+/g, '_')
        .replace(/^_+|_+$/g, '');
    if (/(^|_)(GPG|PGP|PUBLIC|PUB|SSH_HOST)_KEY$/.test(n) || /KEYRING|KEYSERVER|KEY_?ID$/.test(n))
        return false;
    if (/PASSWORD|PASSWD/.test(n))
        return true;
    if (n === 'SECRET_KEY_BASE')
        return true;
    return /(^|_)(TOKEN|SECRET|KEY|APIKEY|ACCESSKEY|SECRETKEY)$/.test(n) && n !== 'KEY';
}
const PLACEHOLDER_WORDS = new Set([
    'changeme',
    'change_me',
    'change-me',
    'changeit',
    'password',
    'passwd',
    'secret',
    'token',
    'example',
    'dummy',
    'test',
    'testing',
    'placeholder',
    'redacted',
    'fake',
    'sample',
    'default',
    'none',
    'null',
    'nil',
    'undefined',
    'unset',
    'notset',
    'empty',
    'todo',
    'tbd',
    'true',
    'false',
    'yes',
    'no',
    'on',
    'off',
]);
function unquote(value) {
    const v = value.trim();
    if (v.length >= 2 && (v[0] === '"' || v[0] === "'") && v.at(-1) === v[0])
        return v.slice(1, -1);
    return v;
}
/** Values that are clearly not a credential: references, placeholders, booleans, paths, short. */
function isPlaceholder(raw) {
    const v = unquote(raw);
    if (v.length < 8)
        return true;
    if (/\$[{(A-Za-z_]/.test(v) || v.startsWith('$'))
        return true; // $TOKEN, ${SECRET}, $(cat …)
    if (/^<[^>]*>$|^\{\{.*\}\}$|^%[^%]+%$|^\[[^\]]*\]$/.test(v))
        return true; // <your-token>, {{ x }}
    const lower = v.toLowerCase();
    if (PLACEHOLDER_WORDS.has(lower))
        return true;
    if (/^(?:your|my|some|insert|enter|replace)[-_ ]/.test(lower))
        return true;
    if (/x{3,}|\*{3,}|\.{3}|changeme|change[-_]me|placeholder|dummy|example|redacted|not[-_]?a[-_]?secret/.test(lower)) {
        return true;
    }
    if (/^(.)\1*$/.test(v) || new Set(v).size < 4)
        return true; // aaaaaaaa, 12121212
    if (/^(?:\/|\.\.?\/|~\/|[A-Za-z]:\\)/.test(v))
        return true; // a path to a secret, not the secret
    if (/^https?:\/\/[^@\s]*$/.test(v))
        return true; // a URL without credentials
    if (/^\d+$/.test(v) && v.length < 12)
        return true; // a port, a count
    return false;
}
/** Shape values that are too regular to be real (a row of x's in the AWS secret key's place). */
function lowEntropy(v) {
    return new Set(v).size < 6;
}
/** Every credential in one piece of text. `onFound` runs for each, before anything else sees it. */
function scanText(text, where, onFound = () => { }) {
    const hits = [];
    const taken = [];
    const add = (hit, start, end) => {
        if (taken.some(([s, e]) => start < e && end > s))
            return;
        taken.push([start, end]);
        onFound(hit);
        hits.push(hit);
    };
    for (const m of text.matchAll(PRIVATE_KEY)) {
        add({ rule: 'private-key', value: m[0].trimEnd(), where }, m.index, m.index + m[0].length);
    }
    for (const m of text.matchAll(AWS_KEY_ID)) {
        const v = m[1];
        if (!lowEntropy(v.slice(4)))
            add({ rule: 'aws-access-key-id', value: v, where }, m.index, m.index + m[0].length);
    }
    for (const m of text.matchAll(AWS_SECRET)) {
        const v = m[1];
        const start = m.index + m[0].length - v.length;
        if (!lowEntropy(v))
            add({ rule: 'aws-secret-access-key', value: v, where }, start, start + v.length);
    }
    for (const m of text.matchAll(GITHUB_TOKEN)) {
        const v = m[1];
        if (!lowEntropy(v.slice(v.indexOf('_') + 1))) {
            add({ rule: 'github-token', value: v, where }, m.index, m.index + v.length);
        }
    }
    for (const m of text.matchAll(URL_PASSWORD)) {
        const v = m[1];
        const start = m.index + m[0].indexOf(`:${v}@`) + 1;
        if (!isPlaceholder(v))
            add({ rule: 'url-password', value: v, where }, start, start + v.length);
    }
    for (const m of [...text.matchAll(ASSIGNMENT), ...text.matchAll(FLAG)]) {
        const name = m[1];
        const raw = m[2];
        if (!isSecretName(name) || isPlaceholder(raw))
            continue;
        const value = unquote(raw);
        const start = m.index + m[0].length - raw.length + (raw.length - value.length) / 2;
        add({ rule: 'assignment', value, where, name }, Math.floor(start), Math.floor(start) + value.length);
    }
    return hits;
}
/** A `NAME=value` pair taken apart already (env, label, build arg): the name is known. */
function scanPair(name, value, where, onFound = () => { }) {
    const hits = scanText(value, where, onFound);
    if (hits.length === 0 && isSecretName(name) && !isPlaceholder(value)) {
        const hit = { rule: 'assignment', value: unquote(value), where, name };
        onFound(hit);
        hits.push(hit);
    }
    return hits;
}
/** The lines of a value to hand to `core.setSecret` (the runner masks line by line). */
function maskParts(value) {
    const lines = value
        .split(/\r?\n/)
        .map((l) => l.trim())
        .filter((l) => l.length >= 4 && !/^-----(BEGIN|END) /.test(l));
    return [...new Set(value.includes('\n') ? lines : [value])];
}
function fingerprint(value) {
    return (0,external_node_crypto_.createHash)('sha256').update(value).digest('hex').slice(0, 8);
}
/** `AKIA…(20 chars)`: the first characters only where they are a public prefix. */
function redact(hit) {
    const n = hit.value.length;
    switch (hit.rule) {
        case 'aws-access-key-id':
            return `${hit.value.slice(0, 4)}…(${n} chars)`;
        case 'github-token':
            return `${hit.value.startsWith('github_pat_') ? 'github_pat_' : hit.value.slice(0, 4)}…(${n} chars)`;
        case 'private-key': {
            const kind = /-----BEGIN ([A-Z0-9 ]*PRIVATE KEY)/.exec(hit.value)?.[1] ?? 'PRIVATE KEY';
            return `-----BEGIN ${kind}-----…(${n} chars)`;
        }
        default:
            return `…(${n} chars)`;
    }
}
/** Distinct secrets (by value), each with every place it was seen. */
function summarize(hits) {
    const byValue = new Map();
    for (const hit of hits) {
        let s = byValue.get(hit.value);
        if (!s) {
            s = { rule: hit.rule, redacted: redact(hit), fingerprint: fingerprint(hit.value), where: [] };
            if (hit.name !== undefined)
                s.name = hit.name;
            byValue.set(hit.value, s);
        }
        if (!s.where.includes(hit.where))
            s.where.push(hit.where);
    }
    return [...byValue.values()];
}
/** Replaces every found value in a text with its redacted form (longest first). */
function redactText(text, hits) {
    let out = text;
    const sorted = [...new Map(hits.map((h) => [h.value, h])).values()].sort((a, b) => b.value.length - a.value.length);
    for (const hit of sorted) {
        if (hit.value === '')
            continue;
        out = out.split(hit.value).join(`[secret ${redact(hit)} sha256:${fingerprint(hit.value)}]`);
        // A private key block may be shown line by line; redact its body lines too.
        for (const part of hit.value.includes('\n') ? maskParts(hit.value) : [])
            out = out.split(part).join('[redacted]');
    }
    return out;
}

;// CONCATENATED MODULE: ./src/audit/analyze.ts
/**
 * The audit's verdict on one image, from facts gathered elsewhere. Pure: no I/O; `mask` is called for
 * each credential the moment it is found, before anything is logged or written.
 */


function analyze(facts, mask = () => { }) {
    const hits = [];
    const onFound = (hit) => {
        for (const part of maskParts(hit.value))
            mask(part);
        hits.push(hit);
    };
    const cfg = facts.config;
    // 1. Secrets first, so every text below is redacted before it goes anywhere.
    facts.history.forEach((h, i) => {
        const { instruction, buildArgs } = instructionOf(h.createdBy);
        const verb = instruction.split(/\s/)[0] ?? '';
        scanText(h.createdBy, `history #${i + 1} (${verb})`, onFound);
        for (const [name, value] of buildArgs)
            scanPair(name, value, `build arg ${name} (history #${i + 1})`, onFound);
        if (h.comment)
            scanText(h.comment, `history #${i + 1} comment`, onFound);
    });
    const env = splitEnv(cfg.Env);
    const envSecret = new Set();
    for (const [name, value] of env) {
        if (scanPair(name, value, `env ${name}`, onFound).length > 0)
            envSecret.add(name);
    }
    for (const [key, value] of Object.entries(cfg.Labels ?? {}))
        scanPair(key, value, `label ${key}`, onFound);
    if (cfg.Entrypoint)
        scanText(cfg.Entrypoint.join(' '), 'entrypoint', onFound);
    if (cfg.Cmd)
        scanText(cfg.Cmd.join(' '), 'cmd', onFound);
    const clean = (text) => redactText(text, hits);
    // 2. What is in it.
    const layers = layersOf(facts.history, facts.manifest?.layers, facts.diffIds).map((l) => l.instruction === undefined ? l : { ...l, instruction: clean(l.instruction) });
    const layerOfHistory = new Map(layers.flatMap((l) => (l.historyIndex === undefined ? [] : [[l.historyIndex, l.index]])));
    const history = facts.history.map((h, i) => {
        const entry = {
            ...h,
            createdBy: clean(h.createdBy),
            instruction: clean(instructionOf(h.createdBy).instruction),
        };
        if (h.comment !== undefined)
            entry.comment = clean(h.comment);
        const layer = layerOfHistory.get(i);
        if (layer !== undefined)
            entry.layer = layer;
        return entry;
    });
    const dockerfile = clean(recoverDockerfile(facts.history, layers));
    const user = cfg.User ?? '';
    const labels = {};
    for (const [k, v] of Object.entries(cfg.Labels ?? {}))
        labels[k] = clean(v);
    const ociLabels = {};
    for (const name of OCI_LABELS) {
        const value = labels[name];
        ociLabels[name] = value !== undefined && value !== '' ? { present: true, value } : { present: false };
    }
    const envEntries = env.map(([name, value]) => isHarmlessEnv(name) && !envSecret.has(name)
        ? { name, value: clean(value), masked: false }
        : { name, masked: true });
    // 3. Warnings, most serious first.
    const secrets = summarize(hits);
    const warnings = [];
    for (const s of secrets) {
        warnings.push(`Credential left in the image (${s.rule}${s.name ? ` ${s.name}` : ''}, ${s.redacted}, sha256:${s.fingerprint}) in ${s.where.join(', ')}`);
    }
    const runsAsRoot = isRootUser(user);
    if (runsAsRoot) {
        warnings.push(`The image runs as root (user '${user === '' ? '(not set)' : clean(user)}'): set a non-root USER in the Dockerfile.`);
    }
    const missing = OCI_LABELS.filter((l) => !ociLabels[l]?.present);
    if (missing.length > 0) {
        warnings.push(`Missing OCI labels ${missing.join(', ')}: without them nobody can trace the image back to its source and commit.`);
    }
    warnings.push(...facts.notes);
    const size = facts.manifest !== undefined
        ? facts.manifest.layers.reduce((s, l) => s + l.size, facts.manifest.configSize)
        : facts.registrySize;
    const image = {
        digest: facts.digest,
        imageRef: facts.imageRef,
        imageId: facts.imageId,
        layerCount: layers.length,
    };
    if (facts.os || facts.architecture)
        image.platform = `${facts.os ?? '?'}/${facts.architecture ?? '?'}`;
    if (facts.created)
        image.created = facts.created;
    if (facts.manifest)
        image.manifestMediaType = facts.manifest.mediaType;
    if (size !== undefined)
        image.size = size;
    return {
        version: 1,
        image,
        layers,
        history,
        dockerfile,
        config: {
            user: clean(user),
            runsAsRoot,
            entrypoint: cfg.Entrypoint ? cfg.Entrypoint.map(clean) : null,
            cmd: cfg.Cmd ? cfg.Cmd.map(clean) : null,
            exposedPorts: Object.keys(cfg.ExposedPorts ?? {}).sort(),
            workingDir: cfg.WorkingDir ?? '',
            volumes: Object.keys(cfg.Volumes ?? {}).sort(),
            labels,
            env: envEntries,
            ociLabels,
        },
        secrets,
        warnings,
    };
}
/** The one-line failure (or warning) about secrets: says the image is already pushed and how to delete it. */
function secretsMessage(result, where, failing) {
    const n = result.secrets.length;
    const kinds = [...new Set(result.secrets.map((s) => s.rule))].join(', ');
    return (`The audit found ${n} credential${n === 1 ? '' : 's'} (${kinds}) in the image's history, env or labels. ` +
        `The image is ALREADY PUSHED as ${result.image.imageRef}: anyone who can pull it can read them. ` +
        `Rotate the credential${n === 1 ? '' : 's'} now, delete the image ` +
        `(aws ecr batch-delete-image --repository-name ${where.repository} --image-ids imageDigest=${result.image.digest} ` +
        `--registry-id ${where.registryId} --region ${where.region}), and rebuild with build secrets ` +
        `(RUN --mount=type=secret) instead of ARG/ENV.` +
        (failing ? '' : ' (fail-on-secrets is false: not failing the step.)'));
}


// EXTERNAL MODULE: external "node:child_process"
var external_node_child_process_ = __nccwpck_require__(1421);
;// CONCATENATED MODULE: ./src/sdk.ts
let ecr;
let sts;
function ecrSdk() {
    ecr ??= Promise.all(/* import() */[__nccwpck_require__.e(861), __nccwpck_require__.e(249)]).then(__nccwpck_require__.t.bind(__nccwpck_require__, 8249, 19));
    return ecr;
}
function stsSdk() {
    sts ??= Promise.all(/* import() */[__nccwpck_require__.e(861), __nccwpck_require__.e(695)]).then(__nccwpck_require__.t.bind(__nccwpck_require__, 1695, 19));
    return sts;
}

;// CONCATENATED MODULE: ./src/audit/engine.ts
/**
 * Reading the image: its configuration and history from the local engine, compressed layer sizes
 * from the registry's manifest, the whole image from `docker save` (only for the filesystem export).
 * Thin I/O: every decision is in image.ts / analyze.ts.
 */




/** `docker image inspect` + `docker history`: fast, nothing copied. */
async function readLocalImage(docker, imageId) {
    const [inspect, hist] = await Promise.all([
        docker.exec(['image', 'inspect', imageId], { silent: true }),
        docker.exec(['history', '--no-trunc', '--human=false', '--format', '{{json .}}', imageId], {
            silent: true,
        }),
    ]);
    if (inspect.code !== 0)
        throw new ActionError(`docker image inspect ${imageId} failed: ${inspect.stderr.trim()}`);
    if (hist.code !== 0)
        throw new ActionError(`docker history ${imageId} failed: ${hist.stderr.trim()}`);
    const info = JSON.parse(inspect.stdout)[0] ?? {};
    const diffIds = info.RootFS?.Layers ?? [];
    const lines = hist.stdout
        .split('\n')
        .filter((l) => l.trim() !== '')
        .map((l) => JSON.parse(l))
        .reverse(); // docker history lists newest first
    const sized = lines.map((l) => ({ createdBy: l.CreatedBy ?? '', size: Number(l.Size ?? 0) || 0 }));
    const empty = inferEmptyLayers(sized, diffIds.length);
    const history = lines.map((l, i) => {
        const h = {
            createdBy: l.CreatedBy ?? '',
            emptyLayer: empty[i] ?? true,
            size: sized[i]?.size ?? 0,
        };
        if (l.CreatedAt)
            h.created = l.CreatedAt;
        if (l.Comment)
            h.comment = l.Comment;
        return h;
    });
    const out = { config: info.Config ?? {}, diffIds, history };
    if (info.Os)
        out.os = info.Os;
    if (info.Architecture)
        out.architecture = info.Architecture;
    if (info.Variant)
        out.variant = info.Variant;
    if (info.Created)
        out.created = info.Created;
    return out;
}
/** History from an image config JSON (exact empty_layer flags), as `docker save` holds it. */
function historyFromConfig(config) {
    const h = config?.history;
    if (!Array.isArray(h))
        return undefined;
    return h.map((e) => {
        const entry = {
            createdBy: typeof e.created_by === 'string' ? e.created_by : '',
            emptyLayer: e.empty_layer === true,
        };
        if (typeof e.created === 'string')
            entry.created = e.created;
        if (typeof e.comment === 'string' && e.comment !== '')
            entry.comment = e.comment;
        return entry;
    });
}
const MANIFEST_TYPES = [
    'application/vnd.docker.distribution.manifest.v2+json',
    'application/vnd.oci.image.manifest.v1+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
    'application/vnd.oci.image.index.v1+json',
];
/** The pushed manifest (for an index: the platform manifest of the local image's platform). */
async function registryManifest(ecr, where, digest, platform) {
    const { BatchGetImageCommand } = await ecrSdk();
    const get = async (d) => {
        const out = await ecr.send(new BatchGetImageCommand({
            registryId: where.registryId,
            repositoryName: where.repository,
            imageIds: [{ imageDigest: d }],
            acceptedMediaTypes: MANIFEST_TYPES,
        }));
        const image = out.images?.[0];
        if (!image?.imageManifest) {
            const f = out.failures?.[0];
            throw new Error(`BatchGetImage ${d}: ${f?.failureCode ?? 'no manifest'} ${f?.failureReason ?? ''}`.trim());
        }
        const json = JSON.parse(image.imageManifest);
        return { json, mediaType: image.imageManifestMediaType ?? json.mediaType ?? '' };
    };
    let m = await get(digest);
    let d = digest;
    if (Array.isArray(m.json.manifests)) {
        const children = m.json.manifests;
        const pick = children.find((c) => c.platform?.os === platform.os &&
            c.platform?.architecture === platform.architecture &&
            (platform.variant === undefined || c.platform?.variant === platform.variant)) ?? children.find((c) => c.platform?.os !== 'unknown');
        if (!pick?.digest)
            throw new Error(`the image index ${digest} has no manifest for ${platform.os}/${platform.architecture}`);
        d = pick.digest;
        m = await get(d);
    }
    return {
        mediaType: m.mediaType,
        digest: d,
        layers: (m.json.layers ?? []).map((l) => {
            const layer = { digest: l.digest ?? '', size: l.size ?? 0 };
            if (l.mediaType)
                layer.mediaType = l.mediaType;
            return layer;
        }),
        configSize: m.json.config?.size ?? 0,
    };
}
/** ECR's own size of the image (DescribeImages imageSizeInBytes). */
async function registrySize(ecr, where, digest) {
    const { DescribeImagesCommand } = await ecrSdk();
    const out = await ecr.send(new DescribeImagesCommand({
        registryId: where.registryId,
        repositoryName: where.repository,
        imageIds: [{ imageDigest: digest }],
    }));
    return out.imageDetails?.[0]?.imageSizeInBytes;
}
/** `docker save <id>` as a stream; `done` settles when docker exits (rejects on failure). */
function saveImage(docker, imageId) {
    const child = (0,external_node_child_process_.spawn)('docker', ['save', imageId], { env: docker.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const err = [];
    child.stderr.on('data', (b) => {
        if (err.length < 64)
            err.push(b);
    });
    const done = new Promise((resolve, reject) => {
        child.once('error', (e) => reject(new ActionError(`docker save ${imageId} could not start: ${e.message}`)));
        child.once('close', (code, signal) => {
            if (code === 0)
                resolve();
            else {
                const why = Buffer.concat(err).toString('utf8').trim().split('\n')[0] ?? '';
                reject(new ActionError(`docker save ${imageId} failed (${signal ?? `exit ${code}`}): ${why}`));
            }
        });
    });
    return { stream: child.stdout, done };
}

;// CONCATENATED MODULE: ./src/report.ts
/**
 * The job summary, assembled from sections each stage adds, written once at the end of the step
 * (also when it fails) so a reviewer reads one page instead of the log.
 */
class Report {
    sections = [];
    /** Adds a section; lower `order` comes first (verdict 0, push 10, gate 20, governance 30, audit 40). */
    add(order, markdown) {
        this.sections.push({ order, markdown: markdown.trimEnd() });
    }
    get empty() {
        return this.sections.length === 0;
    }
    /** The whole summary, kept under GitHub's 1 MiB limit for one step's summary. */
    markdown(limitBytes = 1024 * 1024 - 4096) {
        const text = [...this.sections]
            .sort((a, b) => a.order - b.order)
            .map((s) => s.markdown)
            .join('\n\n');
        if (Buffer.byteLength(text) <= limitBytes)
            return `${text}\n`;
        const note = '\n\n> Summary truncated to fit GitHub’s 1 MiB limit; the report files hold everything.\n';
        let cut = text.slice(0, limitBytes - Buffer.byteLength(note));
        while (Buffer.byteLength(cut) > limitBytes - Buffer.byteLength(note))
            cut = cut.slice(0, -1024);
        return cut.slice(0, cut.lastIndexOf('\n')) + note;
    }
}
/** Escapes text for a markdown table cell. */
function cell(text) {
    return text.replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

;// CONCATENATED MODULE: ./src/audit/summary.ts
/** The audit's job-summary section. Pure: everything it prints is already redacted. */


const code = (s) => `\`${cell(s).replace(/`/g, "'")}\``;
function auditMarkdown(r, exported, auditFile) {
    const out = ['### Image audit', ''];
    const size = r.image.size !== undefined ? formatBytes(r.image.size) : 'unknown';
    out.push(`${r.image.layerCount} layer${r.image.layerCount === 1 ? '' : 's'}, ${size} compressed` +
        `${r.image.platform ? `, ${r.image.platform}` : ''}; ` +
        (r.secrets.length > 0 ? `**${r.secrets.length} credential(s) found**` : 'no credentials found') +
        '.');
    if (r.warnings.length > 0 || (exported?.refused.length ?? 0) > 0) {
        out.push('', '**Warnings**', '');
        for (const w of r.warnings)
            out.push(`- ${cell(w)}`);
        if (exported && exported.refused.length > 0) {
            out.push(`- Filesystem export refused ${exported.refusedCount} entr${exported.refusedCount === 1 ? 'y' : 'ies'}:`);
            for (const x of exported.refused.slice(0, 20))
                out.push(`  - layer ${x.layer}: ${code(x.path)}: ${cell(x.reason)}`);
        }
    }
    out.push('', '| # | Size | Made by |', '|---:|---:|---|');
    for (const l of r.layers) {
        const s = l.size !== undefined ? formatBytes(l.size) : '?';
        const instr = l.instruction !== undefined ? code(truncate(l.instruction, 160)) : '(no history entry)';
        out.push(`| ${l.index} | ${l.big ? `**${s}** 🔺` : s} | ${instr} |`);
    }
    if (r.layers.some((l) => l.big))
        out.push('', '🔺 the biggest layers (each at least a tenth of the image).');
    const c = r.config;
    out.push('', '| Configuration | |', '|---|---|');
    out.push(`| User | ${c.user === '' ? '(not set: root)' : code(c.user)}${c.runsAsRoot ? ' ⚠️ root' : ''} |`);
    if (c.entrypoint)
        out.push(`| Entrypoint | ${code(JSON.stringify(c.entrypoint))} |`);
    if (c.cmd)
        out.push(`| Cmd | ${code(JSON.stringify(c.cmd))} |`);
    if (c.workingDir)
        out.push(`| Working dir | ${code(c.workingDir)} |`);
    if (c.exposedPorts.length > 0)
        out.push(`| Exposed ports | ${c.exposedPorts.map(code).join(', ')} |`);
    if (c.volumes.length > 0)
        out.push(`| Volumes | ${c.volumes.map(code).join(', ')} |`);
    if (c.env.length > 0) {
        const env = c.env.map((e) => e.masked ? `${code(e.name)} (value hidden)` : `${code(`${e.name}=${e.value ?? ''}`)}`);
        out.push(`| Env | ${env.join('<br>')} |`);
    }
    for (const [name, v] of Object.entries(c.ociLabels)) {
        out.push(`| ${code(name)} | ${v.present ? code(v.value ?? '') : '⚠️ missing'} |`);
    }
    const other = Object.entries(c.labels).filter(([k]) => !(k in c.ociLabels));
    if (other.length > 0)
        out.push(`| Labels | ${other.map(([k, v]) => code(`${k}=${truncate(v, 100)}`)).join('<br>')} |`);
    if (exported) {
        out.push('', `Filesystem exported to ${code(exported.dir)}: ${exported.files} files, ${exported.dirs} directories, ` +
            `${exported.symlinks} symlinks, ${exported.hardlinks} hard links, ${formatBytes(exported.bytes)}; ` +
            `${exported.whiteouts} whiteouts applied.`);
    }
    out.push('', '<details><summary>Recovered Dockerfile</summary>', '', '```dockerfile', r.dockerfile.replace(/```/g, "'''").trimEnd(), '```', '', '</details>');
    if (auditFile)
        out.push('', `Full audit: ${code(auditFile)} (output \`audit-file\`).`);
    return out.join('\n');
}
function truncate(s, n) {
    return s.length <= n ? s : `${s.slice(0, n - 1)}…`;
}

;// CONCATENATED MODULE: ./src/audit/index.ts
/**
 * The image audit: what the pushed image is made of and what it leaks, read without running it.
 * I/O at the edges only: engine.ts reads, export.ts extracts; analyze.ts and summary.ts decide.
 */









const AUDIT_FILE = 'ecr-audit.json';
async function prepareAudit(ctx) {
    const { inputs } = ctx;
    const plan = { enabled: inputs.audit };
    const dir = inputs.exportFilesystem;
    if (dir === undefined)
        return plan;
    const problems = [];
    if (!inputs.audit) {
        problems.push(`Invalid input 'export-filesystem': '${dir}'. Expected it only with 'audit: true' (the export is part of the audit).`);
    }
    const st = await promises_.stat(dir).catch(() => undefined);
    if (st && !st.isDirectory()) {
        problems.push(`Invalid input 'export-filesystem': '${dir}' is a file. Expected a new or empty directory.`);
    }
    else if (st && (await promises_.readdir(dir)).length > 0) {
        problems.push(`Invalid input 'export-filesystem': '${dir}' is not empty. Expected a new or empty directory (the image's files must not mix with others).`);
    }
    if (problems.length > 0)
        throw new InputError(problems);
    plan.exportDir = dir;
    return plan;
}
/** Reads the pushed image (never runs it): layers, history, configuration, secrets. */
async function runAudit(ctx, plan) {
    if (!plan.enabled)
        return {};
    const { pushed, inputs, env } = ctx;
    const where = { registryId: pushed.registryId, repository: inputs.repository, region: inputs.region };
    const masked = new Set();
    const mask = (v) => {
        if (masked.has(v))
            return;
        masked.add(v);
        setSecret(v);
    };
    const notes = [];
    let facts;
    try {
        const local = await readLocalImage(pushed.docker, pushed.imageId);
        const platform = {};
        if (local.os)
            platform.os = local.os;
        if (local.architecture)
            platform.architecture = local.architecture;
        if (local.variant)
            platform.variant = local.variant;
        let manifest;
        let size;
        try {
            manifest = await registryManifest(pushed.ecr, where, pushed.digest, platform);
        }
        catch (err) {
            notes.push(`Could not read the pushed manifest (ecr:BatchGetImage): ${errorMessage(err)}; compressed layer sizes are unknown.`);
            size = await registrySize(pushed.ecr, where, pushed.digest).catch(() => undefined);
        }
        facts = {
            imageId: pushed.imageId,
            digest: pushed.digest,
            imageRef: pushed.imageRef,
            config: local.config,
            history: local.history,
            diffIds: local.diffIds,
            notes,
        };
        if (local.os)
            facts.os = local.os;
        if (local.architecture)
            facts.architecture = local.architecture;
        if (local.created)
            facts.created = local.created;
        if (manifest)
            facts.manifest = manifest;
        if (size !== undefined)
            facts.registrySize = size;
    }
    catch (err) {
        return {
            failure: `The image audit could not read ${pushed.imageId}: ${errorMessage(err)}. ` +
                `The image IS pushed as ${pushed.imageRef}; set 'audit: false' to skip the audit.`,
        };
    }
    // Secrets are masked here, before any line of the audit is logged.
    let result = analyze(facts, mask);
    let exported;
    let exportFailure;
    if (plan.exportDir !== undefined) {
        try {
            exported = await group(`Exporting the image's filesystem to ${plan.exportDir}`, async () => {
                // The tar reader loads only when an export is asked for (cold start).
                const { exportSavedImage } = await Promise.all(/* import() */[__nccwpck_require__.e(118), __nccwpck_require__.e(669)]).then(__nccwpck_require__.bind(__nccwpck_require__, 8669));
                const saved = saveImage(pushed.docker, pushed.imageId);
                const tmp = env.RUNNER_TEMP || external_node_os_.tmpdir();
                const [out] = await Promise.all([
                    exportSavedImage(saved.stream, plan.exportDir, tmp),
                    saved.done,
                ]);
                // The saved config has the exact empty_layer flags: a better layer-to-history match.
                const history = historyFromConfig(out.config);
                if (history !== undefined && history.length > 0)
                    result = analyze({ ...facts, history }, mask);
                for (const r of out.result.refused.slice(0, 50))
                    warning(`Export refused layer ${r.layer} entry ${r.path}: ${r.reason}`);
                return out.result;
            });
        }
        catch (err) {
            exportFailure = `Could not export the image's filesystem to ${plan.exportDir}: ${errorMessage(err)}`;
        }
    }
    const file = external_node_path_.join(env.RUNNER_TEMP || env.GITHUB_WORKSPACE || process.cwd(), AUDIT_FILE);
    let auditFile;
    try {
        await promises_.writeFile(file, `${JSON.stringify(auditJson(result, exported), null, 2)}\n`);
        auditFile = file;
    }
    catch (err) {
        warning(`Could not write the audit file ${file}: ${errorMessage(err)}`);
    }
    if (result.image.size !== undefined)
        setOutput('image-size', String(result.image.size));
    setOutput('layer-count', String(result.image.layerCount));
    setOutput('secrets-found', String(result.secrets.length));
    if (auditFile)
        setOutput('audit-file', auditFile);
    ctx.report.add(40, auditMarkdown(result, exported, auditFile));
    logResult(result, exported);
    const failures = [];
    if (result.secrets.length > 0) {
        const message = secretsMessage(result, where, inputs.failOnSecrets);
        if (inputs.failOnSecrets)
            failures.push(message);
        else
            warning(message);
    }
    if (exportFailure)
        failures.push(exportFailure);
    return failures.length > 0 ? { failure: failures.join(' ') } : {};
}
function auditJson(result, exported) {
    return exported ? { ...result, export: exported } : result;
}
function logResult(r, exported) {
    const size = r.image.size !== undefined ? formatBytes(r.image.size) : 'unknown size';
    info(`Audit: ${r.image.layerCount} layers, ${size}, user '${r.config.user || '(not set)'}', ${r.secrets.length} credential(s) found`);
    for (const w of r.warnings)
        warning(w);
    if (exported) {
        info(`Exported ${exported.files} files, ${exported.dirs} directories, ${exported.symlinks} symlinks, ${exported.hardlinks} hard links ` +
            `(${formatBytes(exported.bytes)}) to ${exported.dir}; ${exported.refusedCount} entries refused.`);
    }
}

;// CONCATENATED MODULE: ./src/inputs.ts


/** ECR's finding severities, highest first. */
const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'];
const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const REGION = /^[a-z]{2,4}(?:-[a-z0-9]+)*-[a-z]+-\d{1,2}$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const ACCOUNT_ID = /^\d{12}$/;
/** ECR's repositoryName pattern (aws-model), 2–256 characters. */
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;
/** Docker's tag grammar, as ECR accepts it (1–300 characters for ECR, 128 for docker). */
const TAG = /^[\w][\w.-]{0,127}$/;
/** A local image reference: [host[:port]/]name[:tag][@digest], or an image ID (full or short). */
const IMAGE_REF = /^(?:(?:[a-zA-Z0-9-]+\.)*[a-zA-Z0-9-]+(?::\d+)?\/)?[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:\/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*(?::[\w][\w.-]{0,127})?(?:@sha256:[a-f0-9]{64})?$/;
const IMAGE_ID = /^(?:sha256:)?[a-f0-9]{12,64}$/;
/** Splits a list input on newlines and commas, trimming and dropping blanks. */
function splitList(raw) {
    return raw
        .split(/[\n,]/)
        .map((s) => s.trim())
        .filter((s) => s !== '');
}
const TRUE = ['true', 'True', 'TRUE'];
const FALSE = ['false', 'False', 'FALSE'];
/** Builds Inputs from raw values, collecting every problem before failing. Pure: no I/O. */
function parseInputs(get, env = {}) {
    const problems = [];
    const bad = (name, value, expected) => {
        problems.push(`Invalid input '${name}': '${value}'. Expected ${expected}.`);
    };
    const raw = (name) => get(name).trim();
    const bool = (name, dflt) => {
        const v = raw(name);
        if (v === '')
            return dflt;
        if (TRUE.includes(v))
            return true;
        if (FALSE.includes(v))
            return false;
        bad(name, v, 'true or false');
        return dflt;
    };
    const int = (name, dflt, min, max) => {
        const v = raw(name);
        if (v === '')
            return dflt;
        if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
            bad(name, v, `a whole number of seconds from ${min} to ${max}`);
            return dflt;
        }
        return Number(v);
    };
    const oneOf = (name, dflt, allowed, caseless = true) => {
        const v = raw(name);
        if (v === '')
            return dflt;
        const found = allowed.find((a) => (caseless ? a.toLowerCase() === v.toLowerCase() : a === v));
        if (found === undefined)
            bad(name, v, `one of ${allowed.join(', ')}`);
        return found ?? dflt;
    };
    const workspace = env.GITHUB_WORKSPACE || process.cwd();
    const filePath = (name) => {
        const v = raw(name);
        if (v === '')
            return undefined;
        if (v.includes('\0')) {
            bad(name, v, 'a file path');
            return undefined;
        }
        return external_node_path_.resolve(workspace, v);
    };
    // --- Credentials ---
    const roleToAssume = raw('role-to-assume');
    if (roleToAssume !== '' && !ROLE_ARN.test(roleToAssume)) {
        bad('role-to-assume', roleToAssume, 'an IAM role ARN like arn:aws:iam::123456789012:role/github-ecr-push');
    }
    let region = raw('aws-region') || (env.AWS_REGION ?? '').trim() || (env.AWS_DEFAULT_REGION ?? '').trim();
    if (region === '') {
        problems.push("Missing input 'aws-region': set it (e.g. aws-region: us-east-1) or the AWS_REGION environment variable.");
    }
    else if (!REGION.test(region)) {
        bad('aws-region', region, 'an AWS region code like us-east-1');
        region = '';
    }
    const audience = raw('audience') || 'sts.amazonaws.com';
    const runId = env.GITHUB_RUN_ID ?? '0';
    const runAttempt = env.GITHUB_RUN_ATTEMPT ?? '1';
    const roleSessionName = raw('role-session-name') || `GitHubActions-${runId}-${runAttempt}`.slice(0, 64);
    if (!SESSION_NAME.test(roleSessionName)) {
        bad('role-session-name', roleSessionName, '2 to 64 characters of letters, digits and +=,.@_-');
    }
    const roleDurationSeconds = int('role-duration-seconds', 3600, 900, 43200);
    const allowedAccountIds = splitList(raw('allowed-account-ids'));
    for (const id of allowedAccountIds) {
        if (!ACCOUNT_ID.test(id))
            bad('allowed-account-ids', id, 'comma-separated 12-digit AWS account IDs');
    }
    // --- Push ---
    const image = raw('image');
    if (image === '')
        problems.push("Missing input 'image': the local image to push, e.g. widget:ci.");
    else if (!IMAGE_REF.test(image) && !IMAGE_ID.test(image)) {
        bad('image', image, 'a local image reference like widget:ci or an image ID');
    }
    const repository = raw('repository');
    if (repository === '')
        problems.push("Missing input 'repository': the ECR repository name, e.g. acme/widget.");
    else if (repository.length < 2 || repository.length > 256 || !REPOSITORY_NAME.test(repository)) {
        bad('repository', repository, 'an ECR repository name: 2-256 lowercase letters, digits and . _ - separated by /, e.g. acme/widget');
    }
    const tags = [...new Set(splitList(get('tags')))];
    if (tags.length === 0) {
        problems.push("Missing input 'tags': at least one tag, e.g. ${{ github.sha }}.");
    }
    for (const t of tags) {
        if (!TAG.test(t))
            bad('tags', t, 'tags of letters, digits, _ . - (at most 128, not starting with . or -)');
    }
    if (tags.length > 100)
        bad('tags', `${tags.length} tags`, 'at most 100 tags');
    const registryId = raw('registry-id');
    if (registryId !== '' && !ACCOUNT_ID.test(registryId)) {
        bad('registry-id', registryId, 'the 12-digit account ID that owns the registry');
    }
    const keepLogin = bool('keep-login', false);
    // --- Repository governance ---
    const createRepository = bool('create-repository', false);
    const imageTagMutability = oneOf('image-tag-mutability', 'MUTABLE', ['MUTABLE', 'IMMUTABLE']);
    const encryption = oneOf('encryption', 'AES256', ['AES256', 'KMS']);
    const kmsKey = raw('kms-key');
    if (kmsKey !== '' && encryption !== 'KMS') {
        bad('kms-key', kmsKey, "to be set only with 'encryption: KMS'");
    }
    const lifecyclePolicy = filePath('lifecycle-policy');
    // --- Scan gate ---
    const waitForScan = bool('wait-for-scan', true);
    const scanTimeoutSeconds = int('scan-timeout-seconds', 900, 1, 21600);
    const scanSettleSeconds = int('scan-settle-seconds', 20, 0, 3600);
    const severityThreshold = oneOf('severity-threshold', 'HIGH', [...SEVERITIES, 'NONE']);
    const ignore = get('ignore');
    const ignoreFile = filePath('ignore-file');
    const onlyFixable = bool('only-fixable', false);
    const onScanUnavailable = oneOf('on-scan-unavailable', 'fail', ['fail', 'warn']);
    const sarifFile = filePath('sarif-file');
    const summary = bool('summary', true);
    // --- Audit ---
    const audit = bool('audit', true);
    const failOnSecrets = bool('fail-on-secrets', true);
    const exportFilesystem = filePath('export-filesystem');
    if (problems.length > 0)
        throw new InputError(problems);
    const inputs = {
        region,
        audience,
        roleSessionName,
        roleDurationSeconds,
        allowedAccountIds,
        image,
        repository,
        tags,
        keepLogin,
        createRepository,
        imageTagMutability,
        encryption,
        waitForScan,
        scanTimeoutSeconds,
        scanSettleSeconds,
        severityThreshold,
        ignore,
        onlyFixable,
        onScanUnavailable,
        summary,
        audit,
        failOnSecrets,
    };
    if (roleToAssume !== '')
        inputs.roleToAssume = roleToAssume;
    if (registryId !== '')
        inputs.registryId = registryId;
    if (kmsKey !== '')
        inputs.kmsKey = kmsKey;
    if (lifecyclePolicy !== undefined)
        inputs.lifecyclePolicy = lifecyclePolicy;
    if (ignoreFile !== undefined)
        inputs.ignoreFile = ignoreFile;
    if (sarifFile !== undefined)
        inputs.sarifFile = sarifFile;
    if (exportFilesystem !== undefined)
        inputs.exportFilesystem = exportFilesystem;
    return inputs;
}
/** Reads the action's inputs from the runner's INPUT_* environment. */
function getInputs(env = process.env) {
    const get = (name) => env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '';
    return parseInputs(get, env);
}

;// CONCATENATED MODULE: ./src/gate/findings.ts

const SEVERITY_SET = new Set(SEVERITIES);
function normaliseSeverity(raw) {
    const up = (raw ?? '').trim().toUpperCase();
    return SEVERITY_SET.has(up) ? up : 'UNDEFINED';
}
/** Rank: CRITICAL 5 … UNDEFINED 0. */
function severityRank(s) {
    return SEVERITIES.length - 1 - SEVERITIES.indexOf(s);
}
const num = (v) => {
    if (v === undefined || v.trim() === '')
        return undefined;
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
};
function fromBasic(f, image) {
    const attrs = new Map();
    for (const a of f.attributes ?? [])
        if (a.key !== undefined && a.value !== undefined)
            attrs.set(a.key, a.value);
    const id = f.name ?? 'UNKNOWN';
    const pkg = attrs.get('package_name') ?? '';
    const version = attrs.get('package_version') ?? '';
    const score = num(attrs.get('CVSS3_SCORE')) ?? num(attrs.get('CVSS2_SCORE'));
    const finding = {
        key: `${id}|${pkg}|${version}`,
        id,
        source: 'basic',
        severity: normaliseSeverity(f.severity),
        rawSeverity: f.severity ?? '',
        status: 'ACTIVE',
        package: pkg,
        version,
        fixedIn: '',
        fixAvailable: '',
        exploitAvailable: '',
        title: id,
        description: f.description ?? '',
        url: f.uri ?? '',
        imageDigest: image.imageDigest,
        platform: image.platform,
    };
    if (score !== undefined)
        finding.score = score;
    return finding;
}
/**
 * An enhanced finding; one per vulnerable package (Inspector lists several packages in one finding
 * at times: each is a finding of its own here, so that ignore `package=` and SARIF results work).
 */
function fromEnhanced(f, image) {
    const d = f.packageVulnerabilityDetails;
    const id = d?.vulnerabilityId ?? f.title ?? 'UNKNOWN';
    const packages = d?.vulnerablePackages?.length ? d.vulnerablePackages : [{}];
    const score = f.score ?? d?.cvss?.find((c) => c.baseScore !== undefined)?.baseScore;
    const url = d?.sourceUrl ?? f.remediation?.recommendation?.url ?? d?.referenceUrls?.[0] ?? '';
    return packages.map((p, i) => {
        const pkg = p.name ?? '';
        const version = p.version ?? '';
        const fixed = p.fixedInVersion && p.fixedInVersion !== 'NotAvailable' ? p.fixedInVersion : '';
        const base = f.findingArn ?? `${id}|${pkg}|${version}`;
        const finding = {
            key: packages.length > 1 || !f.findingArn ? `${base}|${pkg}|${version}|${i}` : base,
            id,
            source: 'enhanced',
            severity: normaliseSeverity(f.severity),
            rawSeverity: f.severity ?? '',
            status: (f.status ?? 'ACTIVE').toUpperCase(),
            package: pkg,
            version,
            fixedIn: fixed,
            fixAvailable: (f.fixAvailable ?? '').toUpperCase(),
            exploitAvailable: (f.exploitAvailable ?? '').toUpperCase(),
            title: f.title ?? id,
            description: f.description ?? '',
            url,
            imageDigest: image.imageDigest,
            platform: image.platform,
        };
        if (score !== undefined)
            finding.score = score;
        return finding;
    });
}
/** Two 32-bit FNV-1a lanes over one string, folded into the running lanes (no allocation). */
function fnv(text, h) {
    let a = h[0];
    let b = h[1];
    for (let i = 0; i < text.length; i++) {
        const c = text.charCodeAt(i);
        a = Math.imul(a ^ c, 16777619);
        b = Math.imul(b ^ c, 2246822519) ^ (b >>> 15);
    }
    a = Math.imul(a ^ 0x1f, 16777619);
    b = Math.imul(b ^ 0x1f, 2246822519);
    h[0] = a;
    h[1] = b;
}
/**
 * A fingerprint of a finding set: what must stay the same over the settle window. Order does not
 * matter (each finding is hashed alone and the hashes are summed); it covers the fields a decision
 * depends on, so a finding whose severity, status or fix state changes counts as a change. Built
 * without sorting or joining, for 50,000 findings.
 */
function findings_fingerprint(findings) {
    let s1 = 0;
    let s2 = 0;
    let x1 = 0;
    const h = [0, 0];
    for (const f of findings) {
        h[0] = 0x811c9dc5;
        h[1] = 0x01000193;
        fnv(f.imageDigest, h);
        fnv(f.key, h);
        fnv(f.severity, h);
        fnv(f.status, h);
        fnv(f.fixAvailable, h);
        s1 = (s1 + (h[0] >>> 0)) >>> 0;
        s2 = (s2 + (h[1] >>> 0)) >>> 0;
        x1 = (x1 ^ Math.imul(h[0] ^ (h[1] >>> 7), 0x9e3779b1)) >>> 0;
    }
    const hex = (n) => n.toString(16).padStart(8, '0');
    return `${findings.length}:${hex(s1)}${hex(s2)}${hex(x1)}`;
}

;// CONCATENATED MODULE: ./src/gate/ecr-scan.ts



async function attempt(fn) {
    try {
        return { ok: true, value: await fn() };
    }
    catch (err) {
        return {
            ok: false,
            denied: errorName(err) === 'AccessDeniedException',
            message: `${errorName(err) || 'Error'}: ${errorMessage(err)}`,
        };
    }
}
async function getRegistryConfig(api) {
    const { GetRegistryScanningConfigurationCommand } = await ecrSdk();
    return attempt(async () => {
        const out = await api.ecr.send(new GetRegistryScanningConfigurationCommand({}));
        const c = out.scanningConfiguration;
        return {
            scanType: c?.scanType ?? 'BASIC',
            rules: (c?.rules ?? []).map((r) => ({
                scanFrequency: r.scanFrequency ?? 'MANUAL',
                repositoryFilters: (r.repositoryFilters ?? []).map((f) => ({
                    filter: f.filter ?? '',
                    filterType: f.filterType ?? 'WILDCARD',
                })),
            })),
        };
    });
}
async function getRepositoryConfig(api) {
    const { BatchGetRepositoryScanningConfigurationCommand } = await ecrSdk();
    return attempt(async () => {
        const out = await api.ecr.send(new BatchGetRepositoryScanningConfigurationCommand({ repositoryNames: [api.repository] }));
        const c = out.scanningConfigurations?.find((s) => s.repositoryName === api.repository);
        if (!c)
            return undefined;
        return {
            scanOnPush: c.scanOnPush ?? false,
            scanFrequency: c.scanFrequency ?? 'MANUAL',
            appliedScanFilters: (c.appliedScanFilters ?? []).map((f) => ({
                filter: f.filter ?? '',
                filterType: f.filterType ?? 'WILDCARD',
            })),
        };
    });
}
async function startImageScan(api, digest) {
    const { StartImageScanCommand } = await ecrSdk();
    try {
        const out = await api.ecr.send(new StartImageScanCommand({
            registryId: api.registryId,
            repositoryName: api.repository,
            imageId: { imageDigest: digest },
        }));
        return out.imageScanStatus?.status
            ? { kind: 'started', status: out.imageScanStatus.status }
            : { kind: 'started' };
    }
    catch (err) {
        const name = errorName(err);
        if (name === 'LimitExceededException')
            return { kind: 'already-scanned' };
        if (name === 'UnsupportedImageTypeException')
            return { kind: 'unsupported', message: errorMessage(err) };
        return { kind: 'not-possible', message: `${name || 'Error'}: ${errorMessage(err)}` };
    }
}
const READY = new Set(['COMPLETE', 'ACTIVE']);
const PAGE_SIZE = 1000;
/** Transient: throttling, 5xx, network. The SDK has already retried these itself. */
function isTransient(err) {
    const name = errorName(err);
    if (/Throttl|TooManyRequests|LimitExceeded|RequestTimeout|ServiceUnavailable|InternalFailure|ServerException|TimeoutError/i.test(name))
        return true;
    const status = httpStatus(err);
    if (status !== undefined)
        return status >= 500 || status === 429;
    // No answer at all: connection reset, refused, DNS.
    return true;
}
/**
 * One look at the scan: the status, and when it is ready, every page of findings (maxResults 1000),
 * normalised. `platform` labels the findings of one image of a multi-platform index.
 */
async function readScan(api, digest, platform) {
    const { DescribeImageScanFindingsCommand } = await ecrSdk();
    let calls = 0;
    let nextToken;
    let status = '';
    let description = '';
    let completedAt;
    const findings = [];
    const image = { imageDigest: digest, platform };
    try {
        do {
            calls += 1;
            const out = await api.ecr.send(new DescribeImageScanFindingsCommand({
                registryId: api.registryId,
                repositoryName: api.repository,
                imageId: { imageDigest: digest },
                maxResults: PAGE_SIZE,
                ...(nextToken ? { nextToken } : {}),
            }));
            if (calls === 1) {
                status = out.imageScanStatus?.status ?? '';
                description = out.imageScanStatus?.description ?? '';
                completedAt = out.imageScanFindings?.imageScanCompletedAt;
                if (!READY.has(status))
                    return { kind: 'status', status: status || 'UNKNOWN', description, calls };
            }
            for (const f of out.imageScanFindings?.findings ?? [])
                findings.push(fromBasic(f, image));
            for (const f of out.imageScanFindings?.enhancedFindings ?? []) {
                for (const n of fromEnhanced(f, image))
                    findings.push(n);
            }
            nextToken = out.nextToken;
        } while (nextToken);
    }
    catch (err) {
        const name = errorName(err);
        if (name === 'ScanNotFoundException')
            return { kind: 'scan-not-found', calls };
        if (name === 'ImageNotFoundException')
            return { kind: 'image-not-found', calls };
        const transient = isTransient(err);
        const message = transient
            ? `${name || 'Error'}: ${errorMessage(err)}`
            : name === 'AccessDeniedException'
                ? `ecr:DescribeImageScanFindings was denied: ${errorMessage(err)}. Grant it on the repository in the role's policy (see the README's least-privilege policy).`
                : `DescribeImageScanFindings failed: ${name ? `${name}: ` : ''}${errorMessage(err)}`;
        return { kind: 'error', message, transient, calls };
    }
    const read = { kind: 'status', status, description, findings, calls };
    if (completedAt)
        read.completedAt = completedAt;
    return read;
}
const INDEX_TYPES = new Set([
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
]);
/** The platform images of an index, without attestation manifests (pure). */
function platformImages(index) {
    const out = [];
    for (const m of index.manifests ?? []) {
        if (!m.digest)
            continue;
        if (m.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest')
            continue;
        const os = m.platform?.os ?? 'unknown';
        const arch = m.platform?.architecture ?? 'unknown';
        if (os === 'unknown' && arch === 'unknown')
            continue;
        if (m.mediaType && INDEX_TYPES.has(m.mediaType))
            continue;
        out.push({ digest: m.digest, platform: [os, arch, m.platform?.variant].filter(Boolean).join('/') });
    }
    return out;
}
/** What to gate: the pushed digest, or each platform image when it is an image index. */
async function scanTargets(api, digest) {
    const { BatchGetImageCommand } = await ecrSdk();
    const out = await api.ecr.send(new BatchGetImageCommand({
        registryId: api.registryId,
        repositoryName: api.repository,
        imageIds: [{ imageDigest: digest }],
        acceptedMediaTypes: [
            'application/vnd.oci.image.manifest.v1+json',
            'application/vnd.docker.distribution.manifest.v2+json',
            ...INDEX_TYPES,
        ],
    }));
    const image = out.images?.[0];
    if (!image?.imageManifestMediaType || !INDEX_TYPES.has(image.imageManifestMediaType))
        return [{ digest, platform: '' }];
    const targets = platformImages(JSON.parse(image.imageManifest ?? '{}'));
    return targets.length > 0 ? targets : [{ digest, platform: '' }];
}

;// CONCATENATED MODULE: ./src/gate/mode.ts
/**
 * Which scanner covers the repository, decided from the registry's and the repository's scanning
 * configuration. Pure: the calls are in discovery.ts.
 */
/** ECR's repository filter wildcard: `*` matches any run of characters. */
function filterMatches(filter, repository) {
    const re = filter
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&'))
        .join('.*');
    return new RegExp(`^${re}$`).test(repository);
}
/** The first rule (CONTINUOUS_SCAN before SCAN_ON_PUSH, as ECR applies them) matching the repository. */
function matchingRule(rules, repository) {
    const order = ['CONTINUOUS_SCAN', 'SCAN_ON_PUSH', 'MANUAL'];
    return [...rules]
        .sort((a, b) => order.indexOf(a.scanFrequency) - order.indexOf(b.scanFrequency))
        .find((r) => r.repositoryFilters.some((f) => filterMatches(f.filter, repository)));
}
/**
 * The command that puts the repository under enhanced scanning, keeping the registry's other
 * rules (put-registry-scanning-configuration replaces all of them).
 */
function enhancedFixCommand(registry, repository, region) {
    const rules = registry.rules.map((r) => ({
        scanFrequency: r.scanFrequency,
        repositoryFilters: r.repositoryFilters.map((f) => ({ filter: f.filter, filterType: f.filterType })),
    }));
    const target = rules.find((r) => r.scanFrequency === 'CONTINUOUS_SCAN') ??
        rules.find((r) => r.scanFrequency === 'SCAN_ON_PUSH');
    if (target)
        target.repositoryFilters.push({ filter: repository, filterType: 'WILDCARD' });
    else
        rules.push({
            scanFrequency: 'SCAN_ON_PUSH',
            repositoryFilters: [{ filter: repository, filterType: 'WILDCARD' }],
        });
    return `aws ecr put-registry-scanning-configuration --scan-type ENHANCED --rules '${JSON.stringify(rules)}' --region ${region}`;
}
/**
 * Decide the mode. `registry` or `repo` undefined: that call failed. `repositoryScanOnPush` is the
 * repository's own basic scan-on-push flag (DescribeRepositories), used when the batch call failed.
 */
function decideScanMode(registry, repo, repository, region, repositoryScanOnPush) {
    if (registry === undefined) {
        return { kind: 'unknown', why: 'the registry scanning configuration could not be read' };
    }
    if (registry.scanType === 'ENHANCED') {
        let frequency;
        if (repo !== undefined) {
            frequency =
                repo.appliedScanFilters.length > 0 || repo.scanFrequency !== 'MANUAL' ? repo.scanFrequency : undefined;
        }
        else {
            frequency = matchingRule(registry.rules, repository)?.scanFrequency;
        }
        if (frequency === 'CONTINUOUS_SCAN' || frequency === 'SCAN_ON_PUSH')
            return { kind: 'enhanced', frequency };
        return {
            kind: 'not-covered',
            message: `Repository '${repository}' is not covered by enhanced scanning: the registry uses Amazon Inspector (ENHANCED) and none of its scanning rules' filters matches the repository, so it will never be scanned. ` +
                `Add it to a rule: ${enhancedFixCommand(registry, repository, region)}`,
        };
    }
    // BASIC (or a scanType ECR may add later: treat as basic, which StartImageScan can always drive).
    if (repo !== undefined)
        return { kind: 'basic', scanOnPush: repo.scanOnPush || repo.scanFrequency === 'SCAN_ON_PUSH' };
    const rule = matchingRule(registry.rules, repository);
    return {
        kind: 'basic',
        scanOnPush: rule?.scanFrequency === 'SCAN_ON_PUSH' || repositoryScanOnPush === true,
    };
}

// EXTERNAL MODULE: ./node_modules/yaml/dist/index.js
var dist = __nccwpck_require__(8815);
;// CONCATENATED MODULE: ./src/gate/policy.ts
/**
 * The gate's policy: ignore entries (parsed before any network call) and the verdict over a finding
 * set. Pure: no I/O; `today` is passed in.
 */



const ID = /^[^\s=#]+$/;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;
function validDate(s) {
    const m = DATE.exec(s);
    if (!m)
        return false;
    const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
    return d.toISOString().slice(0, 10) === s;
}
const FORM = "'ID [until=YYYY-MM-DD] [package=NAME] [# reason]'";
/** Parses one line of the line form; null for blanks and comment lines. */
function parseLine(line, input, where, problems) {
    const hash = line.search(/(^|\s)#/);
    const body = (hash >= 0 ? line.slice(0, hash) : line).trim();
    const reason = hash >= 0 ? line.slice(hash).replace(/^\s*#/, '').trim() : '';
    if (body === '')
        return null;
    const [id = '', ...rest] = body.split(/\s+/);
    const bad = (what) => {
        problems.push(`Invalid input '${input}' (${where}): ${what}. Expected ${FORM}, e.g. 'CVE-2024-1234 until=2025-06-30 package=openssl # no fix yet'.`);
        return null;
    };
    if (!ID.test(id))
        return bad(`'${id}' is not a vulnerability ID`);
    const entry = { id, reason, source: where };
    for (const word of rest) {
        const kv = /^(until|package)=(.+)$/.exec(word);
        if (!kv)
            return bad(`unexpected '${word}'`);
        if (kv[1] === 'until') {
            if (!validDate(kv[2] ?? ''))
                return bad(`'${kv[2] ?? ''}' is not a date YYYY-MM-DD`);
            entry.until = kv[2];
        }
        else
            entry.package = kv[2];
    }
    return entry;
}
/** The `ignore` input: one entry a line. */
function parseIgnoreText(text, input = 'ignore', lineOffset = 0) {
    const entries = [];
    const problems = [];
    text.split(/\r?\n/).forEach((line, i) => {
        const e = parseLine(line, input, `line ${i + 1 + lineOffset}`, problems);
        if (e)
            e.source = `${input} ${e.source}`;
        if (e)
            entries.push(e);
    });
    return { entries, problems };
}
/** The `ignore-file`: the line form, or YAML: a list of `{id, until, package, reason}` (or of lines). */
function parseIgnoreFile(text, input = 'ignore-file') {
    const firstContent = text.split(/\r?\n/).find((l) => l.trim() !== '' && !l.trim().startsWith('#')) ?? '';
    if (!/^\s*-(\s|$)/.test(firstContent))
        return parseIgnoreText(text, input);
    let doc;
    try {
        doc = (0,dist/* parse */.qg)(text);
    }
    catch (err) {
        const msg = err instanceof Error ? err.message.split('\n')[0] : String(err);
        return {
            entries: [],
            problems: [
                `Invalid input '${input}': not valid YAML (${msg}). Expected a list of {id, until, package, reason}, or lines ${FORM}.`,
            ],
        };
    }
    const entries = [];
    const problems = [];
    if (!Array.isArray(doc)) {
        return {
            entries,
            problems: [`Invalid input '${input}': expected a YAML list of {id, until, package, reason}.`],
        };
    }
    doc.forEach((item, i) => {
        const where = `item ${i + 1}`;
        if (typeof item === 'string') {
            const e = parseLine(item, input, where, problems);
            if (e)
                entries.push({ ...e, source: `${input} ${where}` });
            return;
        }
        const bad = (what) => {
            problems.push(`Invalid input '${input}' (${where}): ${what}. Expected {id: CVE-2024-1234, until: 2025-06-30, package: openssl, reason: "no fix yet"}.`);
        };
        if (item === null || typeof item !== 'object' || Array.isArray(item))
            return bad('not a mapping');
        const rec = item;
        const unknown = Object.keys(rec).filter((k) => !['id', 'until', 'package', 'reason'].includes(k));
        if (unknown.length > 0)
            return bad(`unknown key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`);
        const id = typeof rec.id === 'string' || typeof rec.id === 'number' ? String(rec.id).trim() : '';
        if (!ID.test(id))
            return bad(id === '' ? "missing 'id'" : `'${id}' is not a vulnerability ID`);
        const entry = {
            id,
            reason: typeof rec.reason === 'string' ? rec.reason.trim() : '',
            source: `${input} ${where}`,
        };
        if (rec.until !== undefined && rec.until !== null) {
            // YAML reads an unquoted 2025-06-30 as a string with the core schema; accept Date too.
            const until = rec.until instanceof Date ? rec.until.toISOString().slice(0, 10) : String(rec.until);
            if (!validDate(until))
                return bad(`until '${until}' is not a date YYYY-MM-DD`);
            entry.until = until;
        }
        if (rec.package !== undefined && rec.package !== null) {
            if (typeof rec.package !== 'string' || rec.package.trim() === '')
                return bad("'package' must be a package name");
            entry.package = rec.package.trim();
        }
        entries.push(entry);
    });
    return { entries, problems };
}
function zeroCounts() {
    return { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFORMATIONAL: 0, UNDEFINED: 0 };
}
function isExpired(e, today) {
    return e.until !== undefined && e.until < today;
}
/** Does a counted finding at `s` fail the gate at `threshold`? */
function blocks(s, threshold) {
    return threshold !== 'NONE' && severityRank(s) >= severityRank(threshold);
}
/** The verdict. `today` is YYYY-MM-DD (UTC). */
function evaluate(findings, policy, today) {
    const byId = new Map();
    policy.ignore.forEach((e, i) => {
        if (isExpired(e, today))
            return;
        const k = e.id.toLowerCase();
        const list = byId.get(k);
        if (list)
            list.push(i);
        else
            byId.set(k, [i]);
    });
    const matches = policy.ignore.map(() => 0);
    const counts = zeroCounts();
    const ignoredCounts = zeroCounts();
    const results = new Array(findings.length);
    let total = 0;
    let ignored = 0;
    let blocking = 0;
    let fixUnknown = 0;
    let highestRank = -1;
    for (let n = 0; n < findings.length; n++) {
        const f = findings[n];
        if (f.status !== 'ACTIVE') {
            results[n] = { finding: f, disposition: 'inactive', blocking: false };
            continue;
        }
        const candidates = byId.get(f.id.toLowerCase());
        let by;
        if (candidates) {
            const pkg = f.package.toLowerCase();
            by = candidates.find((i) => {
                const p = policy.ignore[i]?.package;
                return p === undefined || p.toLowerCase() === pkg;
            });
        }
        if (by !== undefined) {
            matches[by] = (matches[by] ?? 0) + 1;
            ignoredCounts[f.severity] += 1;
            ignored += 1;
            results[n] = { finding: f, disposition: 'ignored', ignoredBy: by, blocking: false };
            continue;
        }
        if (policy.onlyFixable) {
            if (f.fixAvailable === '')
                fixUnknown += 1;
            else if (f.fixAvailable !== 'YES' && f.fixAvailable !== 'PARTIAL') {
                results[n] = { finding: f, disposition: 'not-fixable', blocking: false };
                continue;
            }
        }
        counts[f.severity] += 1;
        total += 1;
        const rank = severityRank(f.severity);
        if (rank > highestRank)
            highestRank = rank;
        const b = blocks(f.severity, policy.threshold);
        if (b)
            blocking += 1;
        results[n] = { finding: f, disposition: 'counted', blocking: b };
    }
    const highest = highestRank < 0 ? 'NONE' : SEVERITIES[SEVERITIES.length - 1 - highestRank];
    return {
        results,
        counts,
        ignoredCounts,
        total,
        ignored,
        blocking,
        highest,
        failed: blocking > 0,
        expired: policy.ignore.filter((e) => isExpired(e, today)),
        unused: policy.ignore.filter((e, i) => !isExpired(e, today) && matches[i] === 0),
        matches,
        fixUnknown,
    };
}

;// CONCATENATED MODULE: ./src/gate/sarif.ts
/** Code scanning's bands: critical > 9.0, high 7.0–8.9, medium 4.0–6.9, low 0.1–3.9. */
const BANDS = {
    CRITICAL: [9.0, 10.0, 9.5],
    HIGH: [7.0, 8.9, 8.0],
    MEDIUM: [4.0, 6.9, 5.5],
    LOW: [0.1, 3.9, 2.0],
    INFORMATIONAL: [0.0, 0.0, 0.0],
    UNDEFINED: [0.0, 0.0, 0.0],
};
/** The CVSS score when it agrees with the gate's severity, else the middle of that severity's band. */
function securitySeverity(severity, score) {
    const [lo, hi, mid] = BANDS[severity];
    const s = score !== undefined && score >= lo && score <= hi + 0.05 ? score : mid;
    return s.toFixed(1);
}
function level(s) {
    if (s === 'CRITICAL' || s === 'HIGH')
        return 'error';
    if (s === 'MEDIUM')
        return 'warning';
    return 'note';
}
function vulnUrl(f) {
    if (f.url)
        return f.url;
    if (/^CVE-\d+-\d+$/i.test(f.id))
        return `https://nvd.nist.gov/vuln/detail/${f.id.toUpperCase()}`;
    if (/^GHSA-/i.test(f.id))
        return `https://github.com/advisories/${f.id}`;
    return '';
}
const ruleId = (id) => id.replace(/\s+/g, '_');
function ruleJson(f) {
    const url = vulnUrl(f);
    const about = (f.description || f.title || f.id).slice(0, 600);
    const rule = {
        id: ruleId(f.id),
        name: ruleId(f.id),
        shortDescription: { text: `${f.id} (${f.severity})` },
        fullDescription: { text: about },
        help: { text: `${about}${url ? ` More: ${url}` : ''}` },
        defaultConfiguration: { level: level(f.severity) },
        properties: {
            'security-severity': securitySeverity(f.severity, f.score),
            tags: ['security', 'vulnerability', 'container', f.severity.toLowerCase()],
        },
    };
    if (url)
        rule.helpUri = url;
    return JSON.stringify(rule);
}
/**
 * The SARIF document as JSON text. Built piece by piece (a result a line) so that 50,000 findings do
 * not need one giant object tree next to the text.
 */
function buildSarif(verdict, ctx) {
    return [...sarifChunks(verdict, ctx)].join('');
}
/** The SARIF text in chunks (a rule or a result each), for writing without holding it whole. */
function* sarifChunks(verdict, ctx) {
    const rules = new Map();
    const ruleFindings = [];
    // One result per vulnerability and package; platforms of a multi-platform image are merged.
    const results = new Map();
    const platformsOf = new Map();
    for (const r of verdict.results) {
        if (r.disposition !== 'counted')
            continue;
        const f = r.finding;
        if (!rules.has(f.id)) {
            rules.set(f.id, ruleFindings.length);
            ruleFindings.push(f);
        }
        const key = `${f.id}\u0000${f.package}\u0000${f.version}`;
        if (!results.has(key))
            results.set(key, f);
        if (f.platform) {
            const list = platformsOf.get(key);
            if (!list)
                platformsOf.set(key, [f.platform]);
            else if (!list.includes(f.platform))
                list.push(f.platform);
        }
    }
    const artifact = JSON.stringify({ uri: ctx.artifactUri });
    const driver = {
        name: 'ecr-supply-chain',
        informationUri: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html',
        version: ctx.toolVersion,
    };
    yield `{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"tool":{"driver":${JSON.stringify(driver).slice(0, -1)},"rules":[\n`;
    for (let i = 0; i < ruleFindings.length; i++)
        yield (i === 0 ? '' : ',\n') + ruleJson(ruleFindings[i]);
    const category = JSON.stringify({ id: `ecr-scan/${ctx.imageRef.replace(/@.*$/, '')}/` });
    // The image is the one logical location every result points at (by index 0).
    const logical = JSON.stringify([{ name: ctx.imageRef, fullyQualifiedName: ctx.imageRef, kind: 'module' }]);
    yield `\n]}},"automationDetails":${category},"logicalLocations":${logical},"results":[\n`;
    let first = true;
    for (const [key, f] of results) {
        const platforms = platformsOf.get(key);
        const where = platforms ? ` (${platforms.sort().join(', ')})` : '';
        const pkg = f.package ? `${f.package} ${f.version}`.trim() : 'the image';
        const fix = f.fixedIn ? `; fixed in ${f.fixedIn}` : '';
        const q = JSON.stringify;
        const props = `{"package":${q(f.package)},"installedVersion":${q(f.version)},"fixedVersion":${q(f.fixedIn)},"severity":"${f.severity}"` +
            (f.score !== undefined ? `,"score":${f.score}` : '') +
            (f.fixAvailable ? `,"fixAvailable":${q(f.fixAvailable)}` : '') +
            (f.exploitAvailable ? `,"exploitAvailable":${q(f.exploitAvailable)}` : '') +
            '}';
        yield ((first ? '' : ',\n') +
            `{"ruleId":${JSON.stringify(ruleId(f.id))},"ruleIndex":${rules.get(f.id) ?? 0},"level":"${level(f.severity)}",` +
            `"message":${JSON.stringify({ text: `${f.id} (${f.severity}) in ${pkg}${fix}${where}` })},` +
            `"locations":[{"physicalLocation":{"artifactLocation":${artifact},"region":{"startLine":1}},` +
            `"logicalLocations":[{"index":0}]}],` +
            `"partialFingerprints":${JSON.stringify({ 'ecrFinding/v1': `${f.id}:${f.package}:${f.version}` })},` +
            `"properties":${props}}`);
        first = false;
    }
    yield '\n]}]}\n';
}

;// CONCATENATED MODULE: ./src/gate/reports.ts
/**
 * What a reviewer reads: the job summary (verdict first), the `::error` annotations, the outputs
 * and the full report JSON. Pure builders; the writes happen in index.ts.
 */




const SEV_LABEL = {
    CRITICAL: 'Critical',
    HIGH: 'High',
    MEDIUM: 'Medium',
    LOW: 'Low',
    INFORMATIONAL: 'Informational',
    UNDEFINED: 'Undefined',
};
/** Severity first, then score (highest first), then ID. */
function compareFindings(a, b) {
    return (severityRank(b.severity) - severityRank(a.severity) ||
        (b.score ?? -1) - (a.score ?? -1) ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) ||
        (a.package < b.package ? -1 : a.package > b.package ? 1 : 0));
}
function thresholdText(t) {
    return t === 'NONE' ? 'report only (severity-threshold: NONE)' : `at or above ${t}`;
}
function countList(v) {
    return SEVERITIES.filter((s) => v.counts[s] > 0)
        .map((s) => `${v.counts[s]} ${s}`)
        .join(', ');
}
/** The one-line verdict (summary order 0 and the log). */
function verdictLine(v, facts) {
    const t = facts.policy.threshold;
    if (v.failed) {
        const blocking = SEVERITIES.filter((s) => v.counts[s] > 0 && severityRank(s) >= severityRank(t))
            .map((s) => `${v.counts[s]} ${s}`)
            .join(', ');
        return `❌ Scan gate failed: ${v.blocking} finding${v.blocking === 1 ? '' : 's'} ${thresholdText(t)} (${blocking}) in ${facts.imageRef}`;
    }
    const what = v.total === 0
        ? 'no counted findings'
        : `${v.total} finding${v.total === 1 ? '' : 's'} (${countList(v)}), none ${thresholdText(t)}`;
    return `✅ Scan gate passed: ${t === 'NONE' ? `${v.total} counted finding${v.total === 1 ? '' : 's'}, report only` : what}${v.ignored > 0 ? `; ${v.ignored} ignored` : ''}`;
}
function unavailableLine(status, message, failed) {
    return `${failed ? '❌ Scan gate failed' : '⚠️ Scan gate could not decide'}: no trustworthy findings (${status}). ${message}`;
}
const MAX_ROWS = 100;
const MAX_IGNORED_ROWS = 100;
function scoreText(f) {
    return f.score !== undefined ? f.score.toFixed(1) : '';
}
function idLink(f) {
    const url = vulnUrl(f);
    return url ? `[${cell(f.id)}](${url.replace(/\)/g, '%29')})` : cell(f.id);
}
function findingRow(f, multi) {
    const fix = f.fixedIn ? ` → ${cell(f.fixedIn)}` : '';
    const cells = [
        idLink(f),
        cell(f.package || '–'),
        `${cell(f.version || '–')}${fix}`,
        f.severity +
            (f.rawSeverity && f.rawSeverity.toUpperCase() !== f.severity ? ` (${cell(f.rawSeverity)})` : ''),
        scoreText(f),
        f.fixAvailable || '–',
        f.exploitAvailable || '–',
    ];
    if (multi)
        cells.push(cell(f.platform));
    return `| ${cells.join(' | ')} |`;
}
function entryText(e) {
    return `${e.id}${e.package ? ` package=${e.package}` : ''}${e.until ? ` until=${e.until}` : ''}`;
}
/** Top-N by severity then score without sorting everything (50,000 findings). */
function topN(items, n, keep) {
    const picked = [];
    for (const e of items) {
        if (!keep(e))
            continue;
        picked.push(e.finding);
        if (picked.length > n * 4) {
            picked.sort(compareFindings);
            picked.length = n;
        }
    }
    picked.sort(compareFindings);
    return picked.slice(0, n);
}
/** The gate's summary section (order 20), kept well under the 1 MiB summary limit. */
function gateSection(v, facts, limitBytes = 400_000) {
    const multi = facts.platforms.length > 1 || facts.platforms.some((p) => p.platform !== '');
    const out = ['### Scan gate', ''];
    out.push('| | |', '|---|---|');
    out.push(`| Verdict | ${v.failed ? '❌ failed' : '✅ passed'} (threshold ${facts.policy.threshold}${facts.policy.onlyFixable ? ', only fixable' : ''}) |`);
    out.push(`| Scan | ${facts.scanType}, status ${facts.scanStatus} (waited ${facts.elapsedSeconds} s) |`);
    out.push(`| Image | \`${cell(facts.imageRef)}\` |`);
    if (multi) {
        for (const p of facts.platforms) {
            out.push(`| Platform ${cell(p.platform || 'image')} | \`${p.digest}\`: ${p.status}, ${p.findings} finding${p.findings === 1 ? '' : 's'} |`);
        }
    }
    out.push('');
    out.push('| Severity | Counted | Ignored |', '|---|---:|---:|');
    for (const s of SEVERITIES)
        out.push(`| ${SEV_LABEL[s]} | ${v.counts[s]} | ${v.ignoredCounts[s]} |`);
    out.push(`| **Total** | **${v.total}** | **${v.ignored}** |`);
    const notFixable = v.results.reduce((n, r) => n + (r.disposition === 'not-fixable' ? 1 : 0), 0);
    const inactive = v.results.reduce((n, r) => n + (r.disposition === 'inactive' ? 1 : 0), 0);
    const notes = [];
    if (notFixable > 0)
        notes.push(`${notFixable} without a fix not counted (only-fixable)`);
    if (inactive > 0)
        notes.push(`${inactive} suppressed or closed in Inspector not counted`);
    if (v.fixUnknown > 0)
        notes.push(`${v.fixUnknown} basic-scan findings counted although only-fixable is on: basic scanning does not say whether a fix exists`);
    if (notes.length > 0)
        out.push('', `_${notes.join('; ')}._`);
    const top = topN(v.results, MAX_ROWS, (e) => e.disposition === 'counted');
    if (top.length > 0) {
        out.push('', `#### Top findings${v.total > top.length ? ` (${top.length} of ${v.total}; the report file and the SARIF hold all)` : ''}`, '');
        const head = ['ID', 'Package', 'Installed → fixed', 'Severity', 'Score', 'Fix', 'Exploit'];
        if (multi)
            head.push('Platform');
        out.push(`| ${head.join(' | ')} |`, `|${head.map(() => '---').join('|')}|`);
        for (const f of top)
            out.push(findingRow(f, multi));
    }
    const entries = facts.policy.ignore;
    if (entries.length > 0) {
        out.push('', '#### Ignore entries', '', '| Entry | Reason | Expires | Matched |', '|---|---|---|---:|');
        entries.slice(0, MAX_IGNORED_ROWS).forEach((e, i) => {
            const expired = e.until !== undefined && e.until < facts.today;
            out.push(`| \`${cell(entryText(e))}\` | ${cell(e.reason) || '–'} | ${e.until ? `${e.until}${expired ? ' **expired: no longer ignores**' : ''}` : 'never'} | ${v.matches[i] ?? 0} |`);
        });
        if (entries.length > MAX_IGNORED_ROWS)
            out.push('', `_…and ${entries.length - MAX_IGNORED_ROWS} more entries._`);
    }
    let text = out.join('\n');
    if (Buffer.byteLength(text) > limitBytes) {
        const note = '\n\n> Section truncated to fit the job summary; the report file holds every finding.';
        text = text.slice(0, limitBytes - note.length);
        text = text.slice(0, text.lastIndexOf('\n')) + note;
    }
    return text;
}
/** `::error` annotations: one per blocking finding, capped, and one for the rest. */
function annotations(v, imageRef, cap = 10) {
    if (!v.failed)
        return [];
    const top = topN(v.results, cap, (e) => e.blocking);
    const lines = top.map((f) => {
        const pkg = f.package ? ` in ${f.package} ${f.version}`.trimEnd() : '';
        const fix = f.fixedIn ? ` (fixed in ${f.fixedIn})` : f.fixAvailable === 'NO' ? ' (no fix yet)' : '';
        const where = f.platform ? ` [${f.platform}]` : '';
        return `${f.severity} ${f.id}${pkg}${fix}${where}: ${imageRef}`;
    });
    if (v.blocking > top.length)
        lines.push(`…and ${v.blocking - top.length} more blocking findings (see the job summary and the report file)`);
    return lines;
}
/** The outputs from `findings-critical` to `highest-severity` for a verdict. */
function countOutputs(v) {
    const out = {};
    for (const s of SEVERITIES)
        out[`findings-${s.toLowerCase()}`] = String(v.counts[s]);
    out['findings-total'] = String(v.total);
    out['findings-ignored'] = String(v.ignored);
    out.findings = JSON.stringify(v.counts);
    out['highest-severity'] = v.highest;
    return out;
}
/** The report file: every finding with what became of it. */
function reportJson(v, facts, gate, message) {
    return [...reportChunks(v, facts, gate, message)].join('');
}
/** The report file in chunks (a finding each), for writing without holding it whole. */
function* reportChunks(v, facts, gate, message) {
    const policy = facts.policy;
    const head = {
        version: 1,
        image: facts.imageRef,
        digest: facts.digest,
        scanType: facts.scanType,
        scanStatus: facts.scanStatus,
        gate,
        message,
        platforms: facts.platforms,
        policy: {
            severityThreshold: policy.threshold,
            onlyFixable: policy.onlyFixable,
            ignore: policy.ignore.map((e, i) => ({
                ...e,
                expired: e.until !== undefined && e.until < facts.today,
                matched: v?.matches[i] ?? 0,
            })),
        },
        counts: v?.counts ?? null,
        ignoredCounts: v?.ignoredCounts ?? null,
        total: v?.total ?? null,
        ignored: v?.ignored ?? null,
        highestSeverity: v?.highest ?? null,
    };
    // Built as text, a finding a line: 50,000 findings without one giant intermediate object.
    yield JSON.stringify(head, null, 2).replace(/\n}$/, ',\n  "findings": [');
    const rows = v?.results ?? [];
    for (let i = 0; i < rows.length; i++) {
        const r = rows[i];
        const f = r.finding;
        const row = {
            id: f.id,
            severity: f.severity,
            rawSeverity: f.rawSeverity,
            package: f.package,
            version: f.version,
            fixedIn: f.fixedIn,
            score: f.score ?? null,
            fixAvailable: f.fixAvailable,
            exploitAvailable: f.exploitAvailable,
            status: f.status,
            source: f.source,
            platform: f.platform,
            imageDigest: f.imageDigest,
            url: vulnUrl(f),
            disposition: r.disposition,
            counted: r.disposition === 'counted',
            blocking: r.blocking,
            key: f.key,
        };
        if (r.ignoredBy !== undefined) {
            const e = policy.ignore[r.ignoredBy];
            row.ignoredBy = e
                ? { id: e.id, source: e.source, reason: e.reason, until: e.until ?? null, package: e.package ?? null }
                : null;
        }
        yield `${i === 0 ? '\n' : ',\n'}    ${JSON.stringify(row)}`;
    }
    yield rows.length > 0 ? '\n  ]\n}\n' : ']\n}\n';
}

;// CONCATENATED MODULE: ./src/retry.ts
const realSleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
/**
 * "Full jitter" backoff (AWS Architecture Blog): a uniform delay in [ceiling/2, ceiling] where
 * ceiling = min(cap, base * 2^attempt). The lower half-floor keeps retries from hammering at once.
 */
function backoffDelay(attempt, opts) {
    const ceiling = Math.min(opts.capMs, opts.baseMs * 2 ** Math.max(0, attempt));
    const r = (opts.random ?? Math.random)();
    return Math.round(ceiling / 2 + (ceiling / 2) * r);
}

;// CONCATENATED MODULE: ./src/gate/status.ts
/**
 * The scan wait as an explicit state machine. Pure: the loop in wait.ts does the calls and feeds
 * each answer in as an Observation; `nextStep` says what to do next. Time is a number (ms) passed in.
 */

/** ECR's ten `imageScanStatus.status` values. */
const SCAN_STATUSES = (/* unused pure expression or super */ null && ([
    'IN_PROGRESS',
    'COMPLETE',
    'FAILED',
    'UNSUPPORTED_IMAGE',
    'ACTIVE',
    'PENDING',
    'SCAN_ELIGIBILITY_EXPIRED',
    'FINDINGS_UNAVAILABLE',
    'LIMIT_EXCEEDED',
    'IMAGE_ARCHIVED',
]));
/** What one status means for the gate. Unknown statuses fail closed. */
function classifyStatus(status, description = '') {
    const said = description ? ` (ECR: "${description}")` : '';
    switch (status) {
        case 'COMPLETE':
        case 'ACTIVE':
            return { kind: 'ready' };
        case 'PENDING':
        case 'IN_PROGRESS':
            return { kind: 'waiting' };
        case 'FAILED':
            return {
                kind: 'terminal',
                message: `ECR's scan of the image failed${said}. Push the image again, or start a new scan (aws ecr start-image-scan) once the cause is fixed.`,
            };
        case 'UNSUPPORTED_IMAGE':
            return {
                kind: 'terminal',
                message: `ECR cannot scan this image: its operating system or format is not supported (images built FROM scratch have no OS packages to scan)${said}.`,
            };
        case 'FINDINGS_UNAVAILABLE':
            return {
                kind: 'terminal',
                message: `Amazon Inspector has no findings for this image (the image is no longer monitored or its findings were closed)${said}. Push the image again to have it scanned.`,
            };
        case 'SCAN_ELIGIBILITY_EXPIRED':
            return {
                kind: 'terminal',
                message: `Continuous scanning of this image lapsed (Amazon Inspector's ECR re-scan duration ran out)${said}. Push the image again, or raise the re-scan duration in Inspector's ECR settings.`,
            };
        case 'LIMIT_EXCEEDED':
            return {
                kind: 'terminal',
                message: `ECR did not scan this image: a scan limit was exceeded${said}. Wait for the limit to reset (basic scanning: once per image per 24 hours) and scan again.`,
            };
        case 'IMAGE_ARCHIVED':
            return {
                kind: 'terminal',
                message: `The image is archived in ECR and archived images are not scanned${said}. Restore it (aws ecr update-image-storage-class --target-storage-class STANDARD) to scan it.`,
            };
        default:
            return {
                kind: 'terminal',
                message: `ECR answered an unknown scan status '${status}'${said}; the gate fails closed on statuses it does not know. Update the action.`,
            };
    }
}
/** See WaitConfig.emptySettleMs: twice the ~30 s fill-in that users observed. */
const EMPTY_SETTLE_FLOOR_MS = 60_000;
function defaultWaitConfig(startedAt, timeoutSeconds, settleSeconds) {
    return {
        startedAt,
        timeoutMs: timeoutSeconds * 1000,
        settleMs: settleSeconds * 1000,
        emptySettleMs: Math.max(settleSeconds * 1000, EMPTY_SETTLE_FLOOR_MS),
        scanNotFoundGraceMs: 180_000,
        imageNotFoundGraceMs: 15_000,
        startScanAfterGrace: false,
        baseDelayMs: 2000,
        capDelayMs: 15_000,
        msPerCall: 1000,
    };
}
function initialState(cfg) {
    return {
        attempt: 0,
        last: 'NOT_STARTED',
        lastDescription: '',
        sameReads: 0,
        scanStartRequested: false,
        graceFrom: cfg.startedAt,
    };
}
/** The next step after `obs` at `now`. */
function nextStep(prev, obs, now, cfg) {
    const state = { ...prev };
    const deadline = cfg.startedAt + cfg.timeoutMs;
    const elapsedS = Math.round((now - cfg.startedAt) / 1000);
    // Wait at least one second per call just made, so the average stays at one call a second.
    const spacing = Math.max(1, obs.calls) * cfg.msPerCall;
    const backoff = () => {
        const delay = Math.max(spacing, backoffDelay(state.attempt, {
            baseMs: cfg.baseDelayMs,
            capMs: cfg.capDelayMs,
            ...(cfg.random ? { random: cfg.random } : {}),
        }));
        state.attempt += 1;
        return poll(delay);
    };
    const poll = (delayMs) => {
        if (now >= deadline)
            return timeout();
        return { kind: 'poll', delayMs: Math.max(0, Math.min(delayMs, deadline - now)) };
    };
    const timeout = () => {
        let why;
        if (state.fingerprint !== undefined) {
            why = `the findings were still changing (ready as ${state.last}, but the finding set had not stayed the same for ${cfg.settleMs / 1000} s)`;
        }
        else if (state.last === 'SCAN_NOT_FOUND') {
            why = 'ECR had not started a scan of the image (ScanNotFound)';
        }
        else if (state.last === 'ERROR') {
            why = `ECR kept failing: ${state.lastError ?? 'unknown error'}`;
        }
        else {
            why = `the scan was still ${state.last}`;
        }
        return {
            kind: 'unavailable',
            status: 'TIMEOUT',
            message: `No trustworthy findings after ${elapsedS} s (scan-timeout-seconds: ${cfg.timeoutMs / 1000}): ${why}. Raise scan-timeout-seconds, or set on-scan-unavailable: warn to let the step pass.`,
        };
    };
    switch (obs.kind) {
        case 'scan-started':
            state.scanStartRequested = true;
            state.graceFrom = now;
            state.attempt = 0;
            return { state, step: poll(Math.max(spacing, cfg.baseDelayMs)) };
        case 'error':
            state.lastError = obs.message;
            if (!obs.transient)
                return { state, step: { kind: 'failed', message: obs.message } };
            state.last = 'ERROR';
            return { state, step: backoff() };
        case 'image-not-found': {
            state.firstImageNotFoundAt ??= now;
            state.last = 'IMAGE_NOT_FOUND';
            if (now - state.firstImageNotFoundAt >= cfg.imageNotFoundGraceMs) {
                return {
                    state,
                    step: {
                        kind: 'unavailable',
                        status: 'IMAGE_NOT_FOUND',
                        message: `The pushed image is no longer in the repository (ImageNotFound for ${Math.round((now - state.firstImageNotFoundAt) / 1000)} s): it was deleted or expired by a lifecycle policy while the gate waited. Nothing was scanned.`,
                    },
                };
            }
            return { state, step: backoff() };
        }
        case 'scan-not-found': {
            state.last = 'SCAN_NOT_FOUND';
            delete state.firstImageNotFoundAt;
            if (now - state.graceFrom >= cfg.scanNotFoundGraceMs) {
                if (cfg.startScanAfterGrace && !state.scanStartRequested)
                    return { state, step: { kind: 'start-scan' } };
                return {
                    state,
                    step: {
                        kind: 'unavailable',
                        status: 'NOT_CONFIGURED',
                        message: `ECR has no scan of the image ${Math.round((now - state.graceFrom) / 1000)} s after it was pushed (ScanNotFound): the repository is not covered by scanning. Turn on scan-on-push (aws ecr put-image-scanning-configuration --repository-name <repo> --image-scanning-configuration scanOnPush=true) or add it to an enhanced scanning rule.`,
                    },
                };
            }
            return { state, step: backoff() };
        }
        case 'status': {
            delete state.firstImageNotFoundAt;
            const changed = state.last !== obs.status;
            state.last = obs.status;
            state.lastDescription = obs.description ?? '';
            const cls = classifyStatus(obs.status, obs.description);
            if (cls.kind === 'terminal')
                return { state, step: { kind: 'unavailable', status: obs.status, message: cls.message } };
            if (cls.kind === 'waiting') {
                delete state.fingerprint;
                delete state.stableSince;
                state.sameReads = 0;
                if (changed)
                    state.attempt = 0;
                return { state, step: backoff() };
            }
            // Ready: the finding set must stay the same for the settle window.
            if (obs.fingerprint === undefined)
                return { state, step: poll(spacing) };
            if (obs.fingerprint !== state.fingerprint) {
                state.fingerprint = obs.fingerprint;
                state.stableSince = now;
                state.sameReads = 1;
            }
            else {
                state.sameReads += 1;
            }
            const stableFor = now - (state.stableSince ?? now);
            const windowMs = obs.empty ? Math.max(cfg.settleMs, cfg.emptySettleMs) : cfg.settleMs;
            if (stableFor >= windowMs && (state.sameReads >= 2 || windowMs === 0)) {
                return { state, step: { kind: 'settled', status: obs.status } };
            }
            // Read again a few times within the window, never faster than the call budget allows.
            const left = windowMs - stableFor;
            const interval = Math.min(Math.max(windowMs / 4, 1000), 10_000);
            const jitter = 0.8 + 0.4 * (cfg.random ?? Math.random)();
            const delay = Math.max(spacing, Math.min(left > 0 ? left : interval, interval * jitter));
            return { state, step: poll(delay) };
        }
    }
}

;// CONCATENATED MODULE: ./src/gate/wait.ts



/** Waits for settled findings of one image. */
async function waitForFindings(deps, target, cfg, opts) {
    const label = target.platform ? `${target.platform} ${target.digest}` : target.digest;
    let state = initialState(cfg);
    let lastFindings = [];
    let lastShown = '';
    const start = async () => {
        const r = await startImageScan(deps.api, target.digest);
        if (r.kind === 'already-scanned')
            deps.log(`StartImageScan: ${label} was already scanned in the last 24 hours; reading that scan`);
        else if (r.kind === 'unsupported')
            return {
                kind: 'unavailable',
                status: 'UNSUPPORTED_IMAGE',
                message: `ECR cannot scan this image: ${r.message}`,
            };
        else if (r.kind === 'not-possible')
            deps.warn(`Could not start a basic scan of ${label} (${r.message}); waiting for one anyway. Grant ecr:StartImageScan, or turn on scan-on-push.`);
        else
            deps.log(`Started a basic scan of ${label}`);
        return { kind: 'scan-started', calls: 1 };
    };
    let obs;
    if (opts.startScanNow) {
        const r = await start();
        if (!('calls' in r))
            return r;
        obs = r;
        state = nextStep(state, obs, deps.clock(), cfg).state;
    }
    for (;;) {
        const read = await readScan(deps.api, target.digest, target.platform);
        if (read.kind === 'status') {
            obs = { kind: 'status', status: read.status, description: read.description, calls: read.calls };
            if (read.findings) {
                lastFindings = read.findings;
                obs.fingerprint = findings_fingerprint(read.findings);
                obs.empty = read.findings.length === 0;
            }
        }
        else
            obs = read;
        const shown = obs.kind === 'status'
            ? `${obs.status}${read.kind === 'status' && read.findings ? ` (${read.findings.length} findings)` : ''}`
            : obs.kind === 'error'
                ? `error: ${obs.message}`
                : obs.kind;
        if (shown !== lastShown)
            deps.log(`Scan of ${label}: ${shown}`);
        lastShown = shown;
        const t = nextStep(state, obs, deps.clock(), cfg);
        state = t.state;
        const step = t.step;
        switch (step.kind) {
            case 'poll':
                await deps.sleep(step.delayMs);
                continue;
            case 'start-scan': {
                const r = await start();
                if (!('calls' in r))
                    return r;
                state = nextStep(state, r, deps.clock(), cfg).state;
                continue;
            }
            case 'settled': {
                const result = { kind: 'settled', status: step.status, findings: lastFindings };
                if (step.status === 'ACTIVE' || lastFindings.some((f) => f.source === 'enhanced'))
                    result.scanType = 'ENHANCED';
                else if (lastFindings.length > 0)
                    result.scanType = 'BASIC';
                return result;
            }
            case 'unavailable':
                return { kind: 'unavailable', status: step.status, message: step.message };
            case 'failed':
                return { kind: 'failed', message: step.message };
        }
    }
}

;// CONCATENATED MODULE: ./src/gate/index.ts
/**
 * The scan gate: scan-mode discovery → wait for settled findings (per platform image) → policy →
 * outputs, job summary, annotations, SARIF and the report file. Decisions live in the pure modules
 * (mode, status, policy, sarif, reports); this file does the I/O at the edges.
 */











const REPORT_FILE = 'ecr-scan-report.json';
async function prepareGate(ctx) {
    const { inputs } = ctx;
    const problems = [];
    const ignore = [];
    const fromText = parseIgnoreText(inputs.ignore);
    problems.push(...fromText.problems);
    ignore.push(...fromText.entries);
    if (inputs.ignoreFile !== undefined) {
        let text;
        try {
            text = await promises_.readFile(inputs.ignoreFile, 'utf8');
        }
        catch (err) {
            const code = err.code ?? errorMessage(err);
            problems.push(`Invalid input 'ignore-file': cannot read ${inputs.ignoreFile} (${code}). Expected a file in the workspace with entries 'ID [until=YYYY-MM-DD] [package=NAME] [# reason]', or a YAML list of {id, until, package, reason}.`);
        }
        if (text !== undefined) {
            const fromFile = parseIgnoreFile(text);
            problems.push(...fromFile.problems);
            ignore.push(...fromFile.entries);
        }
    }
    if (problems.length > 0)
        throw new InputError(problems);
    return {
        enabled: inputs.waitForScan,
        policy: { threshold: inputs.severityThreshold, onlyFixable: inputs.onlyFixable, ignore },
    };
}
/** Waits for the findings of the pushed digest, decides, reports. */
async function runGate(ctx, plan, tuning = {}) {
    if (!plan.enabled) {
        setOutput('gate', 'skipped');
        setOutput('scan-status', 'SKIPPED');
        info('Scan gate skipped (wait-for-scan: false)');
        return {};
    }
    const { inputs, pushed } = ctx;
    const startedAt = ctx.clock();
    const api = { ecr: pushed.ecr, registryId: pushed.registryId, repository: inputs.repository };
    // 1. Scan mode, before any waiting.
    const mode = await discoverMode(ctx, api);
    if (mode.kind === 'not-covered') {
        return unavailable(ctx, plan, 'NONE', 'NOT_CONFIGURED', mode.message, [], startedAt);
    }
    if (mode.kind === 'unknown')
        warning(`${mode.why}; waiting for findings anyway.`);
    else
        info(`Scanning: ${mode.kind === 'basic' ? `BASIC (${mode.scanOnPush ? 'scan on push' : 'manual: starting a scan'})` : `ENHANCED (${mode.frequency})`}`);
    // 2. What to gate: the image, or each platform image of an index.
    let targets;
    try {
        targets = await scanTargets(api, pushed.digest);
    }
    catch (err) {
        warning(`Could not read the pushed manifest to find its platform images (${errorMessage(err)}); gating the pushed digest itself.`);
        targets = [{ digest: pushed.digest, platform: '' }];
    }
    if (targets.length > 1 || targets[0]?.platform) {
        info(`Image index: gating ${targets.length} platform image(s): ${targets.map((t) => t.platform).join(', ')}`);
    }
    // 3. Wait for settled findings, each platform side by side (the call budget is shared).
    const cfg = {
        ...defaultWaitConfig(startedAt, inputs.scanTimeoutSeconds, inputs.scanSettleSeconds),
        startScanAfterGrace: mode.kind === 'unknown',
        ...tuning.wait,
    };
    cfg.msPerCall *= targets.length;
    const deps = {
        api,
        clock: ctx.clock,
        sleep: ctx.sleep,
        log: info,
        warn: (l) => warning(l),
    };
    const startScanNow = mode.kind === 'basic' && !mode.scanOnPush;
    const results = await Promise.all(targets.map((t) => waitForFindings(deps, t, cfg, { startScanNow })));
    const elapsed = Math.round((ctx.clock() - startedAt) / 1000);
    const scanType = scanTypeOf(mode, results);
    const failed = results.findIndex((r) => r.kind === 'failed');
    if (failed >= 0) {
        const r = results[failed];
        setOutput('scan-type', scanType);
        setOutput('gate', 'failed');
        ctx.report.add(0, `### ❌ Scan gate failed\n\n${r.message}`);
        return { failure: r.message };
    }
    const bad = results.findIndex((r) => r.kind === 'unavailable');
    if (bad >= 0) {
        const r = results[bad];
        const t = targets[bad];
        const msg = t.platform ? `${t.platform} (${t.digest}): ${r.message}` : r.message;
        return unavailable(ctx, plan, scanType, r.status, msg, platformScans(targets, results), startedAt);
    }
    // 4. Decide on the settled findings of every platform.
    const findings = [];
    for (const r of results)
        if (r.kind === 'settled')
            for (const f of r.findings)
                findings.push(f);
    const today = new Date(ctx.clock()).toISOString().slice(0, 10);
    const verdict = evaluate(findings, plan.policy, today);
    const statuses = [...new Set(results.map((r) => (r.kind === 'settled' ? r.status : '')))];
    const facts = {
        imageRef: pushed.imageRef,
        digest: pushed.digest,
        scanType,
        scanStatus: statuses.join(','),
        platforms: platformScans(targets, results),
        policy: plan.policy,
        today,
        elapsedSeconds: elapsed,
    };
    return decide(ctx, verdict, facts);
}
async function discoverMode(ctx, api) {
    const { pushed, inputs } = ctx;
    if (pushed.registryId !== pushed.identity.account) {
        return {
            kind: 'unknown',
            why: `The registry (${pushed.registryId}) belongs to another account, whose scanning configuration cannot be read from ${pushed.identity.account}`,
        };
    }
    const [registry, repo] = await Promise.all([getRegistryConfig(api), getRepositoryConfig(api)]);
    const problems = [registry, repo].flatMap((r) => (r.ok ? [] : [r]));
    if (problems.length > 0) {
        const denied = problems.some((p) => p.denied);
        warning(`Could not read the scanning configuration (${problems.map((p) => p.message).join('; ')}).` +
            (denied
                ? ' Grant ecr:GetRegistryScanningConfiguration and ecr:BatchGetRepositoryScanningConfiguration to let the gate know the scan mode before waiting.'
                : ''));
    }
    return decideScanMode(registry.ok ? registry.value : undefined, repo.ok ? repo.value : undefined, inputs.repository, inputs.region, pushed.repository?.imageScanningConfiguration?.scanOnPush);
}
function scanTypeOf(mode, results) {
    if (mode.kind === 'basic')
        return 'BASIC';
    if (mode.kind === 'enhanced')
        return 'ENHANCED';
    if (mode.kind === 'not-covered')
        return 'NONE';
    const seen = results.flatMap((r) => (r.kind === 'settled' && r.scanType ? [r.scanType] : []));
    if (seen.includes('ENHANCED'))
        return 'ENHANCED';
    if (seen.includes('BASIC') || results.some((r) => r.kind === 'settled'))
        return 'BASIC';
    return 'NONE';
}
function platformScans(targets, results) {
    return targets.map((t, i) => {
        const r = results[i];
        return {
            digest: t.digest,
            platform: t.platform,
            status: r === undefined ? 'UNKNOWN' : r.kind === 'failed' ? 'ERROR' : r.status,
            findings: r?.kind === 'settled' ? r.findings.length : 0,
        };
    });
}
function reportPaths(ctx) {
    const sarif = ctx.inputs.sarifFile;
    const dir = sarif ? external_node_path_.dirname(sarif) : ctx.env.RUNNER_TEMP || ctx.env.GITHUB_WORKSPACE || process.cwd();
    return sarif ? { sarif, report: external_node_path_.join(dir, REPORT_FILE) } : { report: external_node_path_.join(dir, REPORT_FILE) };
}
/** Writes text given in chunks, a MiB at a time (the SARIF of 50,000 findings is never whole in memory). */
async function writeFile(file, chunks) {
    try {
        await promises_.mkdir(external_node_path_.dirname(file), { recursive: true });
        const fh = await promises_.open(file, 'w');
        try {
            let buf = [];
            let size = 0;
            for (const c of chunks) {
                buf.push(c);
                size += c.length;
                if (size >= 1 << 20) {
                    await fh.write(buf.join(''));
                    buf = [];
                    size = 0;
                }
            }
            if (buf.length > 0)
                await fh.write(buf.join(''));
        }
        finally {
            await fh.close();
        }
        return true;
    }
    catch (err) {
        warning(`Could not write ${file}: ${errorMessage(err)}`);
        return false;
    }
}
async function unavailable(ctx, plan, scanType, status, message, platforms, startedAt) {
    const fail = ctx.inputs.onScanUnavailable === 'fail';
    const gate = fail ? 'failed' : 'unavailable';
    setOutput('scan-type', scanType);
    setOutput('scan-status', status);
    setOutput('gate', gate);
    const facts = {
        imageRef: ctx.pushed.imageRef,
        digest: ctx.pushed.digest,
        scanType,
        scanStatus: status,
        platforms,
        policy: plan.policy,
        today: new Date(ctx.clock()).toISOString().slice(0, 10),
        elapsedSeconds: Math.round((ctx.clock() - startedAt) / 1000),
    };
    // No SARIF: an empty one would tell code scanning "0 findings".
    const { report } = reportPaths(ctx);
    if (await writeFile(report, reportChunks(undefined, facts, gate, message)))
        setOutput('report-file', report);
    const line = unavailableLine(status, message, fail);
    ctx.report.add(0, `### ${line.split(': ')[0]}\n\n${line.slice(line.indexOf(': ') + 2)}`);
    ctx.report.add(20, [
        '### Scan gate',
        '',
        '| | |',
        '|---|---|',
        `| Verdict | ${fail ? '❌ failed' : '⚠️ unavailable'}: no trustworthy findings |`,
        `| Scan | ${scanType}, status ${status} (waited ${facts.elapsedSeconds} s) |`,
        `| Image | \`${ctx.pushed.imageRef}\` |`,
    ].join('\n'));
    if (fail)
        return { failure: `Scan gate: ${status}: ${message}` };
    warning(`Scan gate unavailable (${status}): ${message}`);
    return {};
}
async function decide(ctx, verdict, facts) {
    const gate = verdict.failed ? 'failed' : 'passed';
    setOutput('scan-type', facts.scanType);
    setOutput('scan-status', facts.scanStatus);
    for (const [k, v] of Object.entries(countOutputs(verdict)))
        setOutput(k, v);
    setOutput('gate', gate);
    for (const e of verdict.expired) {
        warning(`Ignore entry '${e.id}' (${e.source}) expired on ${e.until ?? ''}: it no longer ignores anything. Fix the finding, or renew the entry with a new until= date.`);
    }
    for (const e of verdict.unused)
        notice(`Ignore entry '${e.id}' (${e.source}) matched no finding of ${facts.imageRef}: remove it if it is no longer needed.`);
    const paths = reportPaths(ctx);
    const [sarifOk, reportOk] = await Promise.all([
        paths.sarif
            ? writeFile(paths.sarif, sarifChunks(verdict, { imageRef: facts.imageRef, artifactUri: 'Dockerfile', toolVersion: '1.0.0' }))
            : Promise.resolve(false),
        writeFile(paths.report, reportChunks(verdict, facts, gate, '')),
    ]);
    if (sarifOk && paths.sarif)
        setOutput('sarif-file', paths.sarif);
    if (reportOk)
        setOutput('report-file', paths.report);
    const line = verdictLine(verdict, facts);
    info(line);
    ctx.report.add(0, `### ${line}`);
    ctx.report.add(20, gateSection(verdict, facts));
    for (const a of annotations(verdict, facts.imageRef))
        error(a, { title: 'Vulnerability blocks the image' });
    return verdict.failed ? { failure: line.replace(/^❌ /, '') } : {};
}

;// CONCATENATED MODULE: ./src/registry.ts
/** Pure helpers about ECR registries, tokens and image references. No I/O. */
/** ECR's authorizationToken is base64("AWS:<password>"). */
function decodeAuthToken(token) {
    const text = Buffer.from(token, 'base64').toString('utf8');
    const colon = text.indexOf(':');
    if (colon <= 0 || colon === text.length - 1) {
        throw new Error('ECR returned an authorization token that is not base64 of "user:password"');
    }
    return { username: text.slice(0, colon), password: text.slice(colon + 1) };
}
/** The registry host forms ECR uses (commercial, China, dual-stack, sovereign cloud). */
const ECR_HOST = /^(\d{12})\.dkr[.-]ecr(?:-fips)?\.([a-z0-9-]+)\.(amazonaws\.com(?:\.cn)?|amazonaws\.eu|on\.aws|c2s\.ic\.gov|sc2s\.sgov\.gov)$/;
const ECR_DUALSTACK_HOST = /^(\d{12})\.dkr-ecr\.([a-z0-9-]+)\.on\.aws$/;
/** Account and region of an ECR registry host, or undefined for any other registry. */
function parseEcrHost(host) {
    const m = ECR_HOST.exec(host) ?? ECR_DUALSTACK_HOST.exec(host);
    if (!m?.[1] || !m[2])
        return undefined;
    return { account: m[1], region: m[2] };
}
/**
 * Registry host from GetAuthorizationToken's proxyEndpoint. One token opens every registry the
 * principal may use, so a cross-account push swaps the account in the host. A proxyEndpoint that is
 * not an ECR host (a local test registry) is used as it is.
 */
function registryHost(proxyEndpoint, registryId) {
    let host;
    try {
        host = new URL(proxyEndpoint).host;
    }
    catch {
        host = proxyEndpoint.replace(/^[a-z]+:\/\//i, '').replace(/\/.*$/, '');
    }
    if (host === '')
        throw new Error(`ECR returned an unusable proxyEndpoint '${proxyEndpoint}'`);
    const ecr = parseEcrHost(host);
    if (registryId && ecr && ecr.account !== registryId) {
        return registryId + host.slice(ecr.account.length);
    }
    return host;
}
/** Account ID out of an ARN (`arn:aws:sts::123456789012:assumed-role/…`). */
function accountFromArn(arn) {
    const parts = arn.split(':');
    const account = parts[4];
    return parts[0] === 'arn' && account && /^\d{12}$/.test(account) ? account : undefined;
}
/** The digest `docker push` reports on its last line: `<tag>: digest: sha256:… size: N`. */
function parsePushDigest(output) {
    const matches = [...output.matchAll(/digest: (sha256:[a-f0-9]{64})/g)];
    return matches.at(-1)?.[1];
}
function imageRefs(registry, repository, tags, digest) {
    const repositoryUri = `${registry}/${repository}`;
    return {
        registry,
        repositoryUri,
        imageUri: `${repositoryUri}:${tags[0] ?? ''}`,
        imageRef: `${repositoryUri}@${digest}`,
    };
}
/** Claims of a JWT's payload, for error messages. The signature is not checked: STS does that. */
function jwtClaims(jwt) {
    const payload = jwt.split('.')[1];
    if (!payload)
        return {};
    try {
        const value = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
        return value && typeof value === 'object' ? value : {};
    }
    catch {
        return {};
    }
}

;// CONCATENATED MODULE: ./src/ecr.ts



/** An ECR client for the region; credentials undefined: the SDK's default chain. */
async function createEcrClient(region, credentials) {
    const { ECRClient } = await ecrSdk();
    // The SDK's standard retry strategy already retries throttling, 5xx and network errors with
    // jittered backoff; give it a little more room than the default 3 attempts.
    return new ECRClient({
        region,
        maxAttempts: 5,
        requestHandler: { connectionTimeout: 5000, requestTimeout: 30000 },
        ...(credentials ? { credentials } : {}),
    });
}
/** GetAuthorizationToken, decoded. Every secret part is masked before this returns. */
async function getAuthorization(client, mask) {
    const { GetAuthorizationTokenCommand } = await ecrSdk();
    const out = await client.send(new GetAuthorizationTokenCommand({}));
    const data = out.authorizationData?.[0];
    if (!data?.authorizationToken || !data.proxyEndpoint) {
        throw new Error('GetAuthorizationToken answered without authorization data');
    }
    mask(data.authorizationToken);
    const creds = decodeAuthToken(data.authorizationToken);
    mask(creds.password);
    return {
        ...creds,
        proxyEndpoint: data.proxyEndpoint,
        expiresAt: data.expiresAt ?? new Date(Date.now() + 12 * 3600 * 1000),
    };
}
/** The repository, or undefined when it does not exist. */
async function findRepository(client, repositoryName, registryId) {
    const { DescribeRepositoriesCommand } = await ecrSdk();
    try {
        const out = await client.send(new DescribeRepositoriesCommand({
            repositoryNames: [repositoryName],
            ...(registryId ? { registryId } : {}),
        }));
        return out.repositories?.[0];
    }
    catch (err) {
        if (errorName(err) === 'RepositoryNotFoundException')
            return undefined;
        throw err;
    }
}
/** Digest ECR holds for each tag. A tag ECR does not know maps to undefined. */
async function digestsForTags(client, repositoryName, tags, registryId) {
    const { DescribeImagesCommand } = await ecrSdk();
    const result = new Map(tags.map((t) => [t, undefined]));
    // DescribeImages takes at most 100 image IDs a call; it fails the whole call on an unknown tag,
    // so ask again tag by tag when that happens.
    for (let i = 0; i < tags.length; i += 100) {
        const chunk = tags.slice(i, i + 100);
        try {
            const out = await client.send(new DescribeImagesCommand({
                repositoryName,
                imageIds: chunk.map((imageTag) => ({ imageTag })),
                ...(registryId ? { registryId } : {}),
            }));
            for (const d of out.imageDetails ?? []) {
                for (const t of d.imageTags ?? [])
                    if (result.has(t))
                        result.set(t, d.imageDigest);
            }
        }
        catch (err) {
            if (errorName(err) !== 'ImageNotFoundException')
                throw err;
            if (chunk.length === 1)
                continue;
            for (const t of chunk) {
                result.set(t, (await digestsForTags(client, repositoryName, [t], registryId)).get(t));
            }
        }
    }
    return result;
}
/** Turns an AWS error into one line that says what to do, for the calls the push makes. */
function explainEcrError(action, err, repositoryArnOrName) {
    const name = errorName(err);
    const msg = errorMessage(err);
    if (name === 'AccessDeniedException') {
        return new ActionError(`${action} was denied: ${msg}. Grant the permission in the role's policy (see the README's least-privilege policy) for ${repositoryArnOrName}.`);
    }
    if (name === 'ExpiredTokenException') {
        return new ActionError(`${action} failed: the AWS credentials expired (${msg}). Re-run the job.`);
    }
    if (name === 'UnrecognizedClientException' || name === 'InvalidSignatureException') {
        return new ActionError(`${action} failed: AWS did not accept the credentials (${name}: ${msg}).`);
    }
    return new Error(`${action} failed: ${name ? `${name}: ` : ''}${msg}`, { cause: err });
}

;// CONCATENATED MODULE: ./src/governance/policy.ts
/**
 * ECR lifecycle policies as code: parse and validate the policy file locally (every problem, each
 * naming the rule and the field), and the canonical form used to compare it with the repository's
 * current policy. Pure: no I/O.
 */
/** ECR's limits on lifecyclePolicyText (aws-model LifecyclePolicyText). */
const POLICY_TEXT_MIN = 100;
const POLICY_TEXT_MAX = 30720;
/** At most four `*` per tagPatternList entry (ECR user guide). */
const MAX_WILDCARDS = 4;
/** rulePriority range accepted here. */
const PRIORITY_MIN = 1;
const PRIORITY_MAX = 999;
const TOP_KEYS = ['rules'];
const RULE_KEYS = ['rulePriority', 'description', 'selection', 'action'];
const SELECTION_KEYS = [
    'tagStatus',
    'tagPrefixList',
    'tagPatternList',
    'countType',
    'countUnit',
    'countNumber',
];
const ACTION_KEYS = ['type'];
const TAG_STATUSES = ['tagged', 'untagged', 'any'];
const COUNT_TYPES = ['imageCountMoreThan', 'sinceImagePushed'];
/** Characters of an image tag (a prefix is a tag's start; a pattern adds `*`). */
const TAG_CHARS = /^[\w.-]+$/;
const PATTERN_CHARS = /^[\w.*-]+$/;
const isObject = (v) => typeof v === 'object' && v !== null && !Array.isArray(v);
const show = (v) => {
    const s = JSON.stringify(v);
    return s === undefined ? String(v) : s.length > 60 ? `${s.slice(0, 57)}...` : s;
};
const isPositiveInt = (v) => typeof v === 'number' && Number.isInteger(v) && v >= 1;
/**
 * Parses and validates a lifecycle policy file. `label` names the file in messages. Each problem is
 * one line: `lifecycle-policy <file>: rule <n> (rulePriority <p>), field '<path>': <what> <expected>`.
 * On success `text` is what to send to ECR (the file as written when it fits ECR's limits).
 */
function checkLifecyclePolicy(raw, label) {
    const problems = [];
    const at = (where, message) => {
        problems.push(`Invalid input 'lifecycle-policy' (${label}): ${where}: ${message}`);
    };
    let doc;
    try {
        doc = JSON.parse(raw.replace(/^\uFEFF/, ''));
    }
    catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        return {
            ok: false,
            problems: [
                `Invalid input 'lifecycle-policy' (${label}): not valid JSON (${why}). Expected an ECR lifecycle policy: {"rules": [...]}.`,
            ],
        };
    }
    if (!isObject(doc)) {
        at('top level', `${show(doc)} is not an object. Expected {"rules": [...]}.`);
        return { ok: false, problems };
    }
    for (const key of Object.keys(doc)) {
        if (!TOP_KEYS.includes(key))
            at(`field '${key}'`, `unknown field. Expected only "rules" at the top level.`);
    }
    const rules = doc.rules;
    if (!Array.isArray(rules) || rules.length === 0) {
        at("field 'rules'", `${rules === undefined ? 'missing' : show(rules)}. Expected a non-empty list of rules.`);
        return { ok: false, problems };
    }
    const byPriority = new Map();
    const anyRules = [];
    rules.forEach((rule, i) => {
        const priority = isObject(rule) && isPositiveInt(rule.rulePriority) ? rule.rulePriority : undefined;
        const name = `rule ${i + 1}${priority !== undefined ? ` (rulePriority ${priority})` : ''}`;
        const field = (path, message) => at(`${name}, field '${path}'`, message);
        if (!isObject(rule)) {
            at(name, `${show(rule)} is not an object. Expected {"rulePriority", "selection", "action"}.`);
            return;
        }
        for (const key of Object.keys(rule)) {
            if (!RULE_KEYS.includes(key))
                field(key, `unknown field. Expected only ${RULE_KEYS.join(', ')}.`);
        }
        // rulePriority
        const p = rule.rulePriority;
        if (p === undefined)
            field('rulePriority', `missing. Expected a whole number from ${PRIORITY_MIN} to ${PRIORITY_MAX}.`);
        else if (typeof p !== 'number' || !Number.isInteger(p) || p < PRIORITY_MIN || p > PRIORITY_MAX) {
            field('rulePriority', `${show(p)}. Expected a whole number from ${PRIORITY_MIN} to ${PRIORITY_MAX}.`);
        }
        else {
            byPriority.set(p, [...(byPriority.get(p) ?? []), i + 1]);
        }
        // description
        if (rule.description !== undefined && typeof rule.description !== 'string') {
            field('description', `${show(rule.description)}. Expected a string.`);
        }
        // selection
        const sel = rule.selection;
        if (!isObject(sel)) {
            field('selection', `${sel === undefined ? 'missing' : show(sel)}. Expected {"tagStatus", "countType", "countNumber", ...}.`);
        }
        else {
            for (const key of Object.keys(sel)) {
                if (!SELECTION_KEYS.includes(key)) {
                    field(`selection.${key}`, `unknown field. Expected only ${SELECTION_KEYS.join(', ')}.`);
                }
            }
            const status = sel.tagStatus;
            if (!TAG_STATUSES.includes(status)) {
                field('selection.tagStatus', `${status === undefined ? 'missing' : show(status)}. Expected one of "tagged", "untagged", "any".`);
            }
            const hasPrefix = sel.tagPrefixList !== undefined;
            const hasPattern = sel.tagPatternList !== undefined;
            if (status === 'tagged') {
                if (!hasPrefix && !hasPattern) {
                    field('selection.tagStatus', `"tagged" needs "tagPrefixList" or "tagPatternList" (which tags the rule selects), e.g. "tagPrefixList": ["release-"].`);
                }
                else if (hasPrefix && hasPattern) {
                    field('selection.tagPatternList', `use either "tagPrefixList" or "tagPatternList" in one rule, not both.`);
                }
            }
            else if ((status === 'untagged' || status === 'any') && (hasPrefix || hasPattern)) {
                const which = hasPrefix ? 'tagPrefixList' : 'tagPatternList';
                field(`selection.${which}`, `not allowed with tagStatus "${status}". Remove it, or use tagStatus "tagged".`);
            }
            if (hasPrefix)
                checkTagList(sel.tagPrefixList, 'selection.tagPrefixList', false, field);
            if (hasPattern)
                checkTagList(sel.tagPatternList, 'selection.tagPatternList', true, field);
            const countType = sel.countType;
            if (!COUNT_TYPES.includes(countType)) {
                field('selection.countType', `${countType === undefined ? 'missing' : show(countType)}. Expected "imageCountMoreThan" or "sinceImagePushed".`);
            }
            if (countType === 'sinceImagePushed') {
                if (sel.countUnit === undefined) {
                    field('selection.countUnit', `missing: countType "sinceImagePushed" needs "countUnit": "days".`);
                }
                else if (sel.countUnit !== 'days') {
                    field('selection.countUnit', `${show(sel.countUnit)}. Expected "days".`);
                }
            }
            else if (countType === 'imageCountMoreThan' && sel.countUnit !== undefined) {
                field('selection.countUnit', `not allowed with countType "imageCountMoreThan" (it counts images, not days). Remove it.`);
            }
            const n = sel.countNumber;
            if (!isPositiveInt(n)) {
                field('selection.countNumber', `${n === undefined ? 'missing' : show(n)}. Expected a whole number of at least 1 (${countType === 'sinceImagePushed' ? 'days' : 'images to keep'}).`);
            }
            if (status === 'any')
                anyRules.push({ index: i + 1, priority: typeof p === 'number' ? p : undefined });
        }
        // action
        const action = rule.action;
        if (!isObject(action)) {
            field('action', `${action === undefined ? 'missing' : show(action)}. Expected {"type": "expire"}.`);
        }
        else {
            for (const key of Object.keys(action)) {
                if (!ACTION_KEYS.includes(key))
                    field(`action.${key}`, `unknown field. Expected only "type".`);
            }
            if (action.type !== 'expire') {
                field('action.type', `${action.type === undefined ? 'missing' : show(action.type)}. Expected "expire".`);
            }
        }
    });
    for (const [priority, where] of byPriority) {
        if (where.length > 1) {
            at(`rules ${where.join(' and ')}, field 'rulePriority'`, `${priority} is used ${where.length} times. Expected each rule to have its own rulePriority.`);
        }
    }
    if (anyRules.length > 1) {
        at(`rules ${anyRules.map((r) => r.index).join(' and ')}, field 'selection.tagStatus'`, `only one rule may have tagStatus "any".`);
    }
    const anyRule = anyRules[0];
    if (anyRules.length === 1 && anyRule?.priority !== undefined) {
        const highest = Math.max(...byPriority.keys());
        if (anyRule.priority < highest) {
            at(`rule ${anyRule.index} (rulePriority ${anyRule.priority}), field 'rulePriority'`, `a rule with tagStatus "any" must have the highest rulePriority (it is evaluated last); ${highest} is higher. Give it a number above ${highest}.`);
        }
    }
    if (problems.length > 0)
        return { ok: false, problems };
    const text = policyText(raw);
    if (text === undefined) {
        return {
            ok: false,
            problems: [
                `Invalid input 'lifecycle-policy' (${label}): the policy is ${raw.length} characters; ECR accepts at most ${POLICY_TEXT_MAX}. Remove rules or descriptions.`,
            ],
        };
    }
    return { ok: true, policy: doc, text };
}
function checkTagList(list, path, pattern, field) {
    const what = pattern
        ? 'tag patterns (letters, digits, _ . - and up to 4 *)'
        : 'tag prefixes (letters, digits, _ . -)';
    if (!Array.isArray(list) || list.length === 0) {
        field(path, `${show(list)}. Expected a non-empty list of ${what}.`);
        return;
    }
    list.forEach((entry, j) => {
        const p = `${path}[${j}]`;
        if (typeof entry !== 'string' || entry === '')
            field(p, `${show(entry)}. Expected one of the ${what}.`);
        else if (!(pattern ? PATTERN_CHARS : TAG_CHARS).test(entry))
            field(p, `${show(entry)}. Expected ${what}.`);
        else if (pattern && (entry.match(/\*/g)?.length ?? 0) > MAX_WILDCARDS) {
            field(p, `${show(entry)} has more than ${MAX_WILDCARDS} wildcards (*); ECR allows at most ${MAX_WILDCARDS}.`);
        }
    });
}
/** The text to send: the file as written, or compact JSON when that is too long; undefined: too long anyway. */
function policyText(raw) {
    const trimmed = raw.replace(/^\uFEFF/, '').trim();
    if (trimmed.length <= POLICY_TEXT_MAX && trimmed.length >= POLICY_TEXT_MIN)
        return trimmed;
    const compact = JSON.stringify(JSON.parse(trimmed));
    if (compact.length > POLICY_TEXT_MAX)
        return undefined;
    // Shorter than ECR's minimum (cannot happen for a valid policy, but keep the send valid).
    return compact.length >= POLICY_TEXT_MIN ? compact : JSON.stringify(JSON.parse(trimmed), null, 2);
}
/** JSON with object keys sorted and no whitespace: two policies are the same when this is. */
function canonicalJson(value) {
    if (Array.isArray(value))
        return `[${value.map(canonicalJson).join(',')}]`;
    if (isObject(value)) {
        const keys = Object.keys(value)
            .filter((k) => value[k] !== undefined)
            .sort();
        return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(value[k])}`).join(',')}}`;
    }
    return JSON.stringify(value) ?? 'null';
}
/**
 * The canonical form of a policy text, for comparison; undefined when the text is not JSON (a
 * policy ECR holds is always JSON, so this means "different").
 */
function normalizePolicyText(text) {
    try {
        return canonicalJson(JSON.parse(text));
    }
    catch {
        return undefined;
    }
}
/** Whether the repository's current policy (undefined: none) already is the desired one. */
function samePolicy(current, desired) {
    if (current === undefined)
        return false;
    const a = normalizePolicyText(current);
    return a !== undefined && a === normalizePolicyText(desired);
}
/** Rules in evaluation order (lowest rulePriority first). */
function rulesInOrder(policy) {
    return [...policy.rules].sort((a, b) => a.rulePriority - b.rulePriority);
}
/** One line describing what a rule selects and expires, for the summary. */
function describeRule(rule) {
    const s = rule.selection;
    const which = s.tagStatus === 'untagged'
        ? 'untagged images'
        : s.tagStatus === 'any'
            ? 'all images'
            : s.tagPrefixList
                ? `images tagged ${s.tagPrefixList.map((t) => `${t}*`).join(' + ')}`
                : `images tagged ${(s.tagPatternList ?? []).join(' + ')}`;
    const when = s.countType === 'imageCountMoreThan'
        ? `beyond the newest ${s.countNumber}`
        : `pushed more than ${s.countNumber} day${s.countNumber === 1 ? '' : 's'} ago`;
    return `expire ${which} ${when}`;
}

;// CONCATENATED MODULE: ./src/governance/aws.ts



/**
 * CreateRepository. RepositoryAlreadyExistsException (another job created it a moment ago) is
 * success: the repository is then read back. A denied ecr:TagResource (needed for tags on create)
 * creates it without tags.
 */
async function createRepositoryCall(ecr, request, describe) {
    const { CreateRepositoryCommand } = await ecrSdk();
    const attempt = async (tags) => {
        const { tags: tagList, ...rest } = request;
        try {
            const out = await ecr.send(new CreateRepositoryCommand(tags && tagList.length > 0 ? request : rest));
            if (!out.repository)
                throw new Error('CreateRepository answered without the repository');
            return { repository: out.repository, origin: 'created', untagged: !tags };
        }
        catch (err) {
            const name = errorName(err);
            if (name === 'RepositoryAlreadyExistsException') {
                const repository = await describe();
                if (!repository)
                    throw err;
                return { repository, origin: 'concurrent', untagged: false };
            }
            if (tags &&
                name === 'AccessDeniedException' &&
                /ecr:TagResource/.test(String(err.message))) {
                return attempt(false);
            }
            throw err;
        }
    };
    return attempt(true);
}
/** The repository's lifecycle policy text, or undefined when it has none. */
async function getLifecyclePolicy(ecr, repositoryName, registryId) {
    const { GetLifecyclePolicyCommand } = await ecrSdk();
    try {
        const out = await ecr.send(new GetLifecyclePolicyCommand({ repositoryName, registryId }));
        return out.lifecyclePolicyText;
    }
    catch (err) {
        if (errorName(err) === 'LifecyclePolicyNotFoundException')
            return undefined;
        throw err;
    }
}
async function putLifecyclePolicy(ecr, repositoryName, registryId, lifecyclePolicyText) {
    const { PutLifecyclePolicyCommand } = await ecrSdk();
    await ecr.send(new PutLifecyclePolicyCommand({ repositoryName, registryId, lifecyclePolicyText }));
}
/** The caller's registry scanning configuration; 'denied' when the role may not read it. */
async function getRegistryScanning(ecr) {
    const { GetRegistryScanningConfigurationCommand } = await ecrSdk();
    try {
        const out = await ecr.send(new GetRegistryScanningConfigurationCommand({}));
        return out.scanningConfiguration ?? {};
    }
    catch (err) {
        if (errorName(err) === 'AccessDeniedException')
            return 'denied';
        throw err;
    }
}
/**
 * StartLifecyclePolicyPreview with the policy text, then GetLifecyclePolicyPreview until it leaves
 * IN_PROGRESS (bounded by `timeoutMs`), every page of results.
 */
async function runLifecyclePreview(ecr, repositoryName, registryId, lifecyclePolicyText, opts) {
    const { StartLifecyclePolicyPreviewCommand, GetLifecyclePolicyPreviewCommand } = await ecrSdk();
    const started = opts.clock();
    const timeout = (what) => ({
        status: 'TIMEOUT',
        detail: `${what} after ${Math.round((opts.clock() - started) / 1000)} s`,
    });
    const wait = async () => {
        if (opts.clock() - started + opts.pollMs > opts.timeoutMs)
            return false;
        await opts.sleep(opts.pollMs);
        return true;
    };
    // Only one preview runs per repository at a time: another job's may be under way.
    for (;;) {
        try {
            await ecr.send(new StartLifecyclePolicyPreviewCommand({ repositoryName, registryId, lifecyclePolicyText }));
            break;
        }
        catch (err) {
            if (errorName(err) !== 'LifecyclePolicyPreviewInProgressException')
                throw err;
            if (!(await wait()))
                return timeout('another preview of this repository was still running');
        }
    }
    const wanted = normalizePolicyText(lifecyclePolicyText);
    for (;;) {
        let out;
        try {
            out = await ecr.send(new GetLifecyclePolicyPreviewCommand({ repositoryName, registryId, maxResults: 100 }));
        }
        catch (err) {
            if (errorName(err) !== 'LifecyclePolicyPreviewNotFoundException')
                throw err;
            out = undefined;
        }
        if (out?.lifecyclePolicyText !== undefined && normalizePolicyText(out.lifecyclePolicyText) !== wanted) {
            return { status: 'REPLACED', detail: 'another job started a preview of a different policy meanwhile' };
        }
        const status = out?.status ?? 'IN_PROGRESS';
        if (status === 'FAILED' || status === 'EXPIRED') {
            return { status, detail: `ECR reports the preview ${status}` };
        }
        if (status === 'COMPLETE' && out) {
            const results = [...(out.previewResults ?? [])];
            let token = out.nextToken;
            while (token) {
                const page = await ecr.send(new GetLifecyclePolicyPreviewCommand({
                    repositoryName,
                    registryId,
                    maxResults: 100,
                    nextToken: token,
                }));
                results.push(...(page.previewResults ?? []));
                token = page.nextToken;
            }
            return { status: 'COMPLETE', results };
        }
        if (!(await wait()))
            return timeout('the preview was still in progress');
    }
}

;// CONCATENATED MODULE: ./src/governance/preview.ts
/**
 * The lifecycle preview: what each rule would expire, from GetLifecyclePolicyPreview's results.
 * Pure: no I/O.
 */

/** Groups the preview's results by the rule that expires each image, in the policy's rule order. */
function summarizePreview(policy, results) {
    const rules = rulesInOrder(policy).map((r) => ({
        rulePriority: r.rulePriority,
        description: r.description?.trim() || describeRule(r),
        count: 0,
        tags: [],
        untagged: 0,
    }));
    const seen = new Set();
    let total = 0;
    for (const r of results) {
        if (r.action?.type !== undefined && r.action.type.toUpperCase() !== 'EXPIRE')
            continue;
        const key = r.imageDigest ?? `#${total}`;
        if (seen.has(key))
            continue;
        seen.add(key);
        total++;
        let rule = rules.find((x) => x.rulePriority === r.appliedRulePriority);
        if (!rule) {
            rule = {
                rulePriority: r.appliedRulePriority ?? 0,
                description: 'a rule not in the policy file',
                count: 0,
                tags: [],
                untagged: 0,
            };
            rules.push(rule);
        }
        rule.count++;
        const tags = r.imageTags ?? [];
        if (tags.length === 0)
            rule.untagged++;
        rule.tags.push(...tags);
    }
    for (const r of rules)
        r.tags = [...new Set(r.tags)].sort();
    return { total, rules };
}

;// CONCATENATED MODULE: ./src/governance/section.ts
/** The governance section of the job summary. Pure: data in, markdown out. */

const MAX_TAGS = 20;
const ORIGIN = {
    created: 'created by this run',
    concurrent: 'created by another job at the same time (this run found it already there)',
    existing: 'existing (settings reported, not changed)',
};
function governanceSection(r) {
    const code = (s) => `\`${cell(s)}\``;
    const lines = [
        '### Repository governance',
        '',
        '| | |',
        '|---|---|',
        `| Repository | ${code(r.repository)}: ${ORIGIN[r.origin]} |`,
        `| Scan on push | ${r.scanOnPush === 'off' ? '**off**' : cell(r.scanOnPush)} |`,
        `| Tag mutability | ${cell(r.mutability)} |`,
        `| Encryption | ${cell(r.encryption)} |`,
        `| Enhanced scanning covers it | ${cell(r.enhanced)} |`,
        `| Lifecycle policy | ${policyCell(r.policy)} |`,
    ];
    if (r.differences.length > 0) {
        lines.push('', `> The repository differs from the inputs (not changed by this action): ${r.differences.map(cell).join('; ')}.`);
    }
    if (r.movingTags.length > 0) {
        lines.push('', `> Mutable tag${r.movingTags.length === 1 ? '' : 's'} ${r.movingTags.map(code).join(', ')} ` +
            `${r.movingTags.length === 1 ? 'is' : 'are'} not unique to this build and move${r.movingTags.length === 1 ? 's' : ''} with every push: ` +
            'deploy the digest-pinned image reference.');
    }
    const preview = previewMarkdown(r.preview);
    if (preview)
        lines.push('', preview);
    return lines.join('\n');
}
function policyCell(p) {
    switch (p.kind) {
        case 'none':
            return 'not managed by this step (no `lifecycle-policy` input)';
        case 'applied':
            return `applied from \`${cell(p.file)}\` (${p.replaced ? 'replaced a different policy' : 'the repository had none'})`;
        case 'unchanged':
            return `unchanged: the repository already has \`${cell(p.file)}\``;
        case 'failed':
            return `**not applied** (\`${cell(p.file)}\`): ${cell(p.reason)}`;
    }
}
function previewMarkdown(p) {
    if (p.kind === 'skipped')
        return undefined;
    if (p.kind === 'unavailable')
        return `**Lifecycle preview:** unavailable: ${cell(p.reason)}`;
    const { summary } = p;
    const lines = [
        `**Lifecycle preview:** ${summary.total === 0 ? 'nothing would expire now' : `${summary.total} image${summary.total === 1 ? '' : 's'} would expire now`}`,
        '',
        '| Rule | What it does | Would expire | Tags |',
        '|---|---|---|---|',
    ];
    for (const rule of summary.rules) {
        const shown = rule.tags.slice(0, MAX_TAGS).map((t) => `\`${cell(t)}\``);
        if (rule.tags.length > MAX_TAGS)
            shown.push(`… and ${rule.tags.length - MAX_TAGS} more`);
        const count = rule.untagged > 0 ? `${rule.count} (${rule.untagged} untagged)` : String(rule.count);
        lines.push(`| ${rule.rulePriority} | ${cell(rule.description)} | ${count} | ${shown.join(', ') || '–'} |`);
    }
    return lines.join('\n');
}

;// CONCATENATED MODULE: ./src/governance/settings.ts
/** AWS tag values: letters, digits, spaces and _ . : / = + - @, up to 256 characters. */
const TAG_VALUE_BAD = /[^\p{L}\p{Z}\p{N}_.:/=+\-@]/gu;
function tagValue(raw) {
    return raw.replace(TAG_VALUE_BAD, '_').slice(0, 256);
}
/** Tags naming the workflow that created the repository (from the runner's GITHUB_* env). */
function creationTags(env) {
    const repo = env.GITHUB_REPOSITORY || 'unknown';
    const workflow = env.GITHUB_WORKFLOW || 'unknown';
    const tags = [{ Key: 'created-by', Value: tagValue(`${repo}/${workflow}`) }];
    if (env.GITHUB_RUN_ID) {
        const server = env.GITHUB_SERVER_URL || 'https://github.com';
        tags.push({
            Key: 'created-by-run',
            Value: tagValue(`${server}/${repo}/actions/runs/${env.GITHUB_RUN_ID}`),
        });
    }
    return tags;
}
function createRepositoryRequest(inputs, registryId, env) {
    return {
        repositoryName: inputs.repository,
        registryId,
        imageTagMutability: inputs.imageTagMutability,
        imageScanningConfiguration: { scanOnPush: true },
        encryptionConfiguration: {
            encryptionType: inputs.encryption,
            ...(inputs.encryption === 'KMS' && inputs.kmsKey !== undefined ? { kmsKey: inputs.kmsKey } : {}),
        },
        tags: creationTags(env),
    };
}
/**
 * How an existing repository differs from what the inputs would create. Only meaningful with
 * `create-repository: true` (the inputs then state the wanted settings); never acted on.
 */
function settingsDifferences(repo, inputs) {
    const out = [];
    const mutability = repo.imageTagMutability ?? 'MUTABLE';
    if (mutability !== inputs.imageTagMutability) {
        out.push(`tag mutability is ${mutability}, image-tag-mutability asks for ${inputs.imageTagMutability}`);
    }
    if (repo.imageScanningConfiguration?.scanOnPush !== true) {
        out.push('scan-on-push is off (a created repository has it on)');
    }
    const enc = repo.encryptionConfiguration?.encryptionType ?? 'AES256';
    if (enc !== inputs.encryption) {
        out.push(`encryption is ${enc}, encryption asks for ${inputs.encryption}`);
    }
    else if (inputs.encryption === 'KMS' &&
        inputs.kmsKey !== undefined &&
        !kmsKeyMatches(repo.encryptionConfiguration?.kmsKey, inputs.kmsKey)) {
        out.push(`the KMS key is ${repo.encryptionConfiguration?.kmsKey ?? 'the AWS managed key'}, kms-key asks for ${inputs.kmsKey}`);
    }
    return out;
}
/** A key ARN, alias ARN, alias name or key ID: equal when one ends with the other's ID part. */
function kmsKeyMatches(actual, wanted) {
    if (actual === undefined)
        return false;
    if (actual === wanted)
        return true;
    const id = (k) => k.replace(/^arn:[^:]+:kms:[^:]*:\d*:/, '').replace(/^key\//, '');
    return id(actual) === id(wanted);
}
/** `*` wildcard match of the whole string (ECR's WILDCARD filters). */
function wildcardMatch(pattern, value) {
    const re = new RegExp(`^${pattern.split('*').map(escapeRegExp).join('.*')}$`);
    return re.test(value);
}
function escapeRegExp(s) {
    return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
/** Whether the registry's enhanced scanning covers the repository, as one phrase. */
function enhancedCoverage(config, repository) {
    if (config === 'denied')
        return 'unknown (ecr:GetRegistryScanningConfiguration denied)';
    if (config === 'other-registry')
        return 'unknown (the registry belongs to another account)';
    if (config.scanType !== 'ENHANCED')
        return `no (registry scanning is ${config.scanType ?? 'BASIC'})`;
    for (const rule of config.rules ?? []) {
        const match = (rule.repositoryFilters ?? []).find((f) => f.filter !== undefined &&
            (f.filterType ?? 'WILDCARD') === 'WILDCARD' &&
            wildcardMatch(f.filter, repository));
        if (match && rule.scanFrequency !== undefined && rule.scanFrequency !== 'MANUAL') {
            return `yes (${rule.scanFrequency}, filter \`${match.filter}\`)`;
        }
    }
    return 'no (ENHANCED, but no scan-on-push or continuous rule matches this repository: it is never scanned)';
}
/** Whether a tag can be moved to another image in a repository with these settings. */
function tagIsMutable(repo, tag) {
    const mode = repo.imageTagMutability ?? 'MUTABLE';
    const excluded = (repo.imageTagMutabilityExclusionFilters ?? []).some((f) => f.filter !== undefined && wildcardMatch(f.filter, tag));
    if (mode === 'MUTABLE')
        return true;
    if (mode === 'IMMUTABLE')
        return false;
    if (mode === 'MUTABLE_WITH_EXCLUSION')
        return !excluded;
    if (mode === 'IMMUTABLE_WITH_EXCLUSION')
        return excluded;
    return true;
}
/**
 * A tag is taken to name one image for good when it is derived from the commit (a run of 7 to 64 hex
 * digits with both digits and letters, e.g. the SHA or `sha-abc1234`, or the start of the run's
 * GITHUB_SHA), carries a date or build stamp (a run of 8 or more digits, e.g. `20240501` or
 * `build-20240501.3`), or is a full semantic version (`1.4.2`, `v2.0.0-rc.1`). Anything else
 * (`latest`, `main`, `stable`, `v1`, `1.4`, `pr-42`) is expected to move to another image on a later
 * push.
 */
function isMovingTag(tag, sha) {
    const lower = tag.toLowerCase();
    if (sha !== undefined && sha.length >= 7 && lower.includes(sha.slice(0, 7).toLowerCase()))
        return false;
    for (const run of lower.match(/[0-9a-f]+/g) ?? []) {
        if (run.length >= 7 && run.length <= 64 && /[0-9]/.test(run) && /[a-f]/.test(run))
            return false;
        if (/^[0-9]{8,}$/.test(run))
            return false;
    }
    if (/^v?\d+\.\d+\.\d+(?:[-+][\w.-]+)?$/i.test(tag))
        return false;
    return true;
}
/** Pushed tags that move and that the repository lets move: the ones to warn about. */
function reusedTags(repo, tags, sha) {
    return tags.filter((t) => isMovingTag(t, sha) && tagIsMutable(repo, t));
}
function describeEncryption(repo) {
    const e = repo.encryptionConfiguration;
    const type = e?.encryptionType ?? 'AES256';
    if (type === 'AES256')
        return 'AES256 (S3-managed keys)';
    return e?.kmsKey ? `${type} (${e.kmsKey})` : `${type} (AWS managed key aws/ecr)`;
}
function describeMutability(repo) {
    const mode = repo.imageTagMutability ?? 'MUTABLE';
    const filters = (repo.imageTagMutabilityExclusionFilters ?? []).flatMap((f) => (f.filter ? [f.filter] : []));
    return filters.length > 0 ? `${mode} (except ${filters.map((f) => `\`${f}\``).join(', ')})` : mode;
}

;// CONCATENATED MODULE: ./src/governance/index.ts









/** Bounded wait for the lifecycle preview. */
const PREVIEW_TIMEOUT_MS = 60_000;
const PREVIEW_POLL_MS = 2_000;
/** Reads and validates the lifecycle policy file: every problem, before any network call. */
async function prepareGovernance(ctx) {
    const file = ctx.inputs.lifecyclePolicy;
    if (file === undefined)
        return {};
    const workspace = ctx.env.GITHUB_WORKSPACE || process.cwd();
    const rel = external_node_path_.relative(workspace, file);
    const label = rel === '' || rel.startsWith('..') || external_node_path_.isAbsolute(rel) ? file : rel;
    const { readFile } = await Promise.resolve(/* import() */).then(__nccwpck_require__.t.bind(__nccwpck_require__, 1455, 23));
    let raw;
    try {
        raw = await readFile(file, 'utf8');
    }
    catch (err) {
        const code = err.code;
        throw new InputError([
            code === 'ENOENT'
                ? `Invalid input 'lifecycle-policy': ${label} does not exist (looked in ${file}). Expected the path of a lifecycle policy JSON in the workspace, e.g. .github/ecr-lifecycle.json; check out the repository first (actions/checkout).`
                : `Invalid input 'lifecycle-policy': cannot read ${label} (${errorMessage(err)}). Expected a readable lifecycle policy JSON file.`,
        ]);
    }
    const checked = checkLifecyclePolicy(raw, label);
    if (!checked.ok)
        throw new InputError(checked.problems);
    debug(`lifecycle policy ${label}: ${checked.policy.rules.length} rule(s), valid`);
    return { lifecyclePolicy: { file: label, policy: checked.policy, text: checked.text } };
}
/** How each repository object push.ts got from createRepository came to be. */
const origins = new WeakMap();
/** Called when the repository does not exist and 'create-repository' is true. */
async function createRepository(inputs, ecr, registryId, env) {
    const arn = `arn:aws:ecr:${inputs.region}:${registryId}:repository/${inputs.repository}`;
    const request = createRepositoryRequest(inputs, registryId, env);
    let created;
    try {
        created = await createRepositoryCall(ecr, request, () => findRepository(ecr, inputs.repository, registryId));
    }
    catch (err) {
        throw explainCreateError(err, inputs, arn);
    }
    origins.set(created.repository, created.origin);
    if (created.origin === 'concurrent') {
        info(`Repository ${inputs.repository} was created by another job meanwhile: using it as it is`);
    }
    else {
        const enc = request.encryptionConfiguration;
        info(`Created repository ${inputs.repository} in registry ${registryId} (scan-on-push on, tags ${request.imageTagMutability}, ` +
            `encryption ${enc.encryptionType}${enc.kmsKey ? ` ${enc.kmsKey}` : ''})`);
    }
    if (created.untagged) {
        warning(`Created repository ${inputs.repository} without the created-by tags: ecr:TagResource was denied. ` +
            `Grant ecr:TagResource on ${arn} to tag repositories with the workflow that created them.`);
    }
    return created.repository;
}
function explainCreateError(err, inputs, arn) {
    const name = errorName(err);
    const msg = errorMessage(err);
    if (name === 'AccessDeniedException') {
        return new ActionError(`ecr:CreateRepository was denied: ${msg}. Grant ecr:CreateRepository (and ecr:TagResource) on ${arn}, ` +
            `or create the repository once outside the workflow and drop 'create-repository'.`);
    }
    if (name === 'KmsException') {
        return new ActionError(`Could not create repository ${inputs.repository} with KMS encryption: ${msg}. ` +
            `Check 'kms-key' (a key ID, ARN or alias in ${inputs.region}) and that the role may use it (kms:CreateGrant, kms:DescribeKey).`);
    }
    if (name === 'InvalidParameterException' ||
        name === 'InvalidTagParameterException' ||
        name === 'TooManyTagsException') {
        return new ActionError(`ECR refused to create repository ${inputs.repository}: ${msg}`);
    }
    if (name === 'LimitExceededException') {
        return new ActionError(`ECR refused to create repository ${inputs.repository}: ${msg}. The registry is at its repository quota; ` +
            'delete unused repositories or ask AWS for a higher quota.');
    }
    return explainEcrError('ecr:CreateRepository', err, arn);
}
/** After the push: lifecycle policy as code, preview, governance section of the summary. */
async function runGovernance(ctx, plan) {
    const { inputs, pushed } = ctx;
    // undefined: the role may not call DescribeRepositories (push.ts warned already).
    const repo = pushed.repository;
    const origin = (repo && origins.get(repo)) ?? 'existing';
    const repositoryArn = repo?.repositoryArn ?? `arn:aws:ecr:${inputs.region}:${pushed.registryId}:repository/${inputs.repository}`;
    // Settings of an existing repository are reported, never changed.
    const differences = repo && inputs.createRepository && origin !== 'created' ? settingsDifferences(repo, inputs) : [];
    if (differences.length > 0) {
        notice(`Repository ${inputs.repository} exists with other settings than the inputs ask for: ${differences.join('; ')}. ` +
            'This action does not change an existing repository: change it in the console or with the AWS CLI if wanted.');
    }
    const [enhanced, lifecycle] = await Promise.all([
        scanningCoverage(ctx),
        plan.lifecyclePolicy ? applyLifecyclePolicy(ctx, plan.lifecyclePolicy, repositoryArn) : undefined,
    ]);
    // Tags that move to this image and that the repository lets move: honest about what is known
    // (whether the tag pointed elsewhere before is not, after the push); see docs/governance.md.
    const movingTags = repo ? reusedTags(repo, pushed.tags, ctx.env.GITHUB_SHA) : [];
    if (repo && movingTags.length > 0) {
        const one = movingTags.length === 1;
        const list = movingTags.map((t) => `'${t}'`).join(', ');
        warning(`Tag${one ? '' : 's'} ${list} in ${inputs.repository} ${one ? 'is' : 'are'} mutable (${describeMutability(repo)}) and not unique ` +
            `to this build: any push moves ${one ? 'it' : 'them'} to another image, so ${one ? 'it' : 'they'} may name something else by the time ` +
            `you deploy. Deploy the digest-pinned image-ref output (${pushed.imageRef}) instead.`);
    }
    const unknown = 'unknown (ecr:DescribeRepositories denied)';
    ctx.report.add(30, governanceSection({
        repository: inputs.repository,
        origin,
        scanOnPush: repo ? (repo.imageScanningConfiguration?.scanOnPush === true ? 'on' : 'off') : unknown,
        mutability: repo ? describeMutability(repo) : unknown,
        encryption: repo ? describeEncryption(repo) : unknown,
        enhanced,
        differences,
        policy: lifecycle?.policy ?? { kind: 'none' },
        preview: lifecycle?.preview ?? { kind: 'skipped' },
        movingTags,
    }));
    return lifecycle?.failure ? { failure: lifecycle.failure } : {};
}
async function scanningCoverage(ctx) {
    const { pushed, inputs } = ctx;
    // GetRegistryScanningConfiguration reads the caller's own registry only.
    if (pushed.registryId !== pushed.identity.account)
        return enhancedCoverage('other-registry', inputs.repository);
    try {
        return enhancedCoverage(await getRegistryScanning(pushed.ecr), inputs.repository);
    }
    catch (err) {
        debug(`GetRegistryScanningConfiguration: ${errorMessage(err)}`);
        return `unknown (${errorName(err) || errorMessage(err)})`;
    }
}
async function applyLifecyclePolicy(ctx, desired, repositoryArn) {
    const { pushed, inputs } = ctx;
    const { file, text, policy } = desired;
    const failed = (reason, failure) => ({
        policy: { kind: 'failed', file, reason },
        preview: { kind: 'skipped' },
        failure,
    });
    let current;
    try {
        current = await getLifecyclePolicy(pushed.ecr, inputs.repository, pushed.registryId);
    }
    catch (err) {
        const e = explainEcrError('ecr:GetLifecyclePolicy', err, repositoryArn);
        return failed('the current policy could not be read', e.message);
    }
    let state;
    if (samePolicy(current, text)) {
        info(`Lifecycle policy of ${inputs.repository} unchanged (${file})`);
        state = { kind: 'unchanged', file };
    }
    else {
        try {
            await putLifecyclePolicy(pushed.ecr, inputs.repository, pushed.registryId, text);
        }
        catch (err) {
            const name = errorName(err);
            if (name === 'InvalidParameterException' || name === 'ValidationException') {
                return failed(`ECR rejected it: ${errorMessage(err)}`, `ECR rejected the lifecycle policy in ${file}: ${errorMessage(err)}. Fix the file and re-run.`);
            }
            const e = explainEcrError('ecr:PutLifecyclePolicy', err, repositoryArn);
            return failed('it could not be written', e.message);
        }
        info(`Applied lifecycle policy ${file} to ${inputs.repository}${current === undefined ? '' : ' (replaced a different policy)'}`);
        state = { kind: 'applied', file, replaced: current !== undefined };
    }
    let preview;
    try {
        const outcome = await runLifecyclePreview(pushed.ecr, inputs.repository, pushed.registryId, text, {
            sleep: ctx.sleep,
            clock: ctx.clock,
            timeoutMs: PREVIEW_TIMEOUT_MS,
            pollMs: PREVIEW_POLL_MS,
        });
        if (outcome.status === 'COMPLETE') {
            preview = { kind: 'done', summary: summarizePreview(policy, outcome.results) };
            info(`Lifecycle preview: ${preview.summary.total} image(s) would expire`);
        }
        else {
            preview = { kind: 'unavailable', reason: outcome.detail };
            warning(`Lifecycle preview of ${inputs.repository} unavailable: ${outcome.detail}.`);
        }
    }
    catch (err) {
        const name = errorName(err);
        const reason = name === 'AccessDeniedException'
            ? 'ecr:StartLifecyclePolicyPreview / ecr:GetLifecyclePolicyPreview denied'
            : `${name ? `${name}: ` : ''}${errorMessage(err)}`;
        preview = { kind: 'unavailable', reason };
        warning(`Lifecycle preview of ${inputs.repository} unavailable: ${reason}. The policy itself is ${state.kind}.`);
    }
    return { policy: state, preview };
}

// EXTERNAL MODULE: ./node_modules/@actions/exec/lib/exec.js + 5 modules
var exec = __nccwpck_require__(2876);
;// CONCATENATED MODULE: ./src/docker.ts





/** The docker CLI with a fixed environment (DOCKER_CONFIG chooses whose login is used). */
class Docker {
    env;
    constructor(env) {
        this.env = env;
    }
    async exec(args, opts = {}) {
        try {
            const out = await (0,exec/* getExecOutput */.H)('docker', args, {
                env: this.env,
                ignoreReturnCode: true,
                silent: opts.silent ?? false,
                ...(opts.input !== undefined ? { input: Buffer.from(opts.input) } : {}),
            });
            return { code: out.exitCode, stdout: out.stdout, stderr: out.stderr };
        }
        catch (err) {
            if (err.code === 'ENOENT' || /Unable to locate executable/i.test(String(err))) {
                throw new ActionError('docker is not installed or not on the PATH: this step pushes with the docker CLI.');
            }
            throw err;
        }
    }
    /** ID of a local image, or undefined when the engine has no such image. */
    async imageId(image) {
        const r = await this.exec(['image', 'inspect', '--format', '{{.Id}}', image], { silent: true });
        if (r.code === 0)
            return r.stdout.trim();
        if (/no such image|not found/i.test(r.stderr))
            return undefined;
        if (/cannot connect|is the docker daemon running|permission denied/i.test(r.stderr)) {
            throw new ActionError(`The Docker engine is not reachable: ${firstLine(r.stderr)}`);
        }
        throw new ActionError(`docker image inspect ${image} failed: ${firstLine(r.stderr)}`);
    }
    async login(host, creds) {
        const r = await this.exec(['login', '--username', creds.username, '--password-stdin', host], {
            input: creds.password,
        });
        if (r.code !== 0) {
            throw new ActionError(`docker login to ${host} failed: ${firstLine(r.stderr) || firstLine(r.stdout)}`);
        }
    }
    async logout(host) {
        return this.exec(['logout', host]);
    }
    async tag(source, target) {
        const r = await this.exec(['tag', source, target], { silent: true });
        if (r.code !== 0)
            throw new ActionError(`docker tag ${source} ${target} failed: ${firstLine(r.stderr)}`);
    }
    /** Removes a tag we created; the image itself stays (other tags still name it). */
    async untag(ref) {
        await this.exec(['image', 'rm', '--no-prune', ref], { silent: true });
    }
    async push(ref) {
        return this.exec(['push', ref]);
    }
}
function firstLine(text) {
    return (text
        .split('\n')
        .map((l) => l.trim())
        .find((l) => l !== '') ?? '');
}
/** The line of docker's output that says why a push failed. */
function pushErrorLine(output) {
    const lines = output.split('\n').map((l) => l.trim());
    return (lines.findLast((l) => /denied|unauthorized|unknown|invalid|refused|unsupported|error|failed/i.test(l)) ??
        lines.findLast((l) => l !== '') ??
        '');
}
/** One line that says why `docker push` failed and what to do about it. Pure. */
function explainPushFailure(ref, repository, output) {
    const line = pushErrorLine(output);
    if (/cannot be overwritten|immutable/i.test(output)) {
        return `The registry refused ${ref}: the tag already exists and '${repository}' has immutable tags (${line}). Push a new tag, such as the commit SHA.`;
    }
    if (/name unknown|does not exist in the registry|repository .* not found/i.test(output)) {
        return `The registry refused ${ref}: repository '${repository}' does not exist (${line}). Create it, or set 'create-repository: true'.`;
    }
    if (/denied|unauthorized|authentication required|no basic auth credentials|forbidden/i.test(output)) {
        return (`The registry refused ${ref} (${line}). The role needs ecr:BatchCheckLayerAvailability, ` +
            `ecr:InitiateLayerUpload, ecr:UploadLayerPart, ecr:CompleteLayerUpload and ecr:PutImage on '${repository}', ` +
            `and the repository policy must not deny it.`);
    }
    if (/read-only|readonly|unsupported|maintenance|HTTP 405|method not allowed/i.test(output)) {
        return `The registry refused ${ref}: it does not accept pushes right now (${line}).`;
    }
    return `docker push ${ref} failed: ${line || 'no output'}`;
}
/**
 * A private docker config directory under RUNNER_TEMP (mode 0700). The user's own config is never
 * read for credentials nor written; only its current context, if any, is carried over so docker
 * still talks to the same engine.
 */
async function createPrivateConfig(runnerTemp) {
    await promises_.mkdir(runnerTemp, { recursive: true });
    const dir = await promises_.mkdtemp(external_node_path_.join(runnerTemp, 'ecr-supply-chain-docker-'));
    await promises_.chmod(dir, 0o700);
    await promises_.writeFile(external_node_path_.join(dir, 'config.json'), '{"auths":{}}\n', { mode: 0o600 });
    return dir;
}
async function removeDir(dir) {
    await promises_.rm(dir, { recursive: true, force: true });
}
/** The user's docker config directory, as the docker CLI finds it. */
function userDockerConfigDir(env) {
    return env.DOCKER_CONFIG || external_node_path_.join(env.HOME || external_node_os_.homedir(), '.docker');
}
/**
 * The environment for docker calls that use a private config. A user who switched docker contexts
 * (rootless, remote engine) keeps their engine: the context's endpoint goes into DOCKER_HOST.
 */
async function privateDockerEnv(env, configDir) {
    const out = {};
    for (const [k, v] of Object.entries(env))
        if (v !== undefined)
            out[k] = v;
    out.DOCKER_CONFIG = configDir;
    if (!env.DOCKER_HOST && !env.DOCKER_CONTEXT) {
        const context = await currentContext(userDockerConfigDir(env));
        if (context && context !== 'default') {
            const user = new Docker({ ...out, DOCKER_CONFIG: userDockerConfigDir(env) });
            const r = await user.exec(['context', 'inspect', '--format', '{{.Endpoints.docker.Host}}', context], {
                silent: true,
            });
            if (r.code === 0 && r.stdout.trim() !== '')
                out.DOCKER_HOST = r.stdout.trim();
        }
    }
    return out;
}
async function currentContext(configDir) {
    try {
        const cfg = JSON.parse(await promises_.readFile(external_node_path_.join(configDir, 'config.json'), 'utf8'));
        const ctx = cfg.currentContext;
        return typeof ctx === 'string' ? ctx : undefined;
    }
    catch {
        return undefined;
    }
}

;// CONCATENATED MODULE: ./src/github.ts


/** True when the job may request an OIDC token (`permissions: id-token: write`). */
function oidcAvailable(env) {
    return Boolean(env.ACTIONS_ID_TOKEN_REQUEST_URL && env.ACTIONS_ID_TOKEN_REQUEST_TOKEN);
}
function requireOidc(env) {
    if (!oidcAvailable(env)) {
        throw new ActionError("'role-to-assume' is set but this job cannot request a GitHub OIDC token: " +
            'add `permissions: id-token: write` to the workflow or job (ACTIONS_ID_TOKEN_REQUEST_URL and ' +
            'ACTIONS_ID_TOKEN_REQUEST_TOKEN are missing). Pull requests from forks never get one.');
    }
}
/** A fresh OIDC token; @actions/core masks it before returning. */
async function getIdToken(audience) {
    return getIDToken(audience);
}

;// CONCATENATED MODULE: ./src/state.ts

const KEYS = {
    logoutRegistry: 'logout-registry',
    dockerConfig: 'docker-config',
    privateConfig: 'private-config',
};
function state_saveState(state) {
    for (const [field, key] of Object.entries(KEYS)) {
        const value = state[field];
        if (value !== undefined)
            saveState(key, value);
    }
}
function loadState() {
    const state = {};
    for (const [field, key] of Object.entries(KEYS)) {
        const value = core.getState(key);
        if (value !== '')
            state[field] = value;
    }
    return state;
}

;// CONCATENATED MODULE: ./src/sts.ts




const TRANSIENT_NAMES = new Set([
    'IDPCommunicationError',
    'IDPCommunicationErrorException',
    'InvalidIdentityToken',
    'InvalidIdentityTokenException',
    'ExpiredTokenException',
    'ExpiredToken',
    'Throttling',
    'ThrottlingException',
    'RequestLimitExceeded',
    'TooManyRequestsException',
    'ServiceUnavailable',
    'InternalFailure',
    'InternalError',
    'TimeoutError',
    'RequestTimeout',
    'RequestTimeoutException',
    'NetworkingError',
    'ECONNRESET',
    'ECONNREFUSED',
    'ECONNABORTED',
    'ETIMEDOUT',
    'EPIPE',
    'EAI_AGAIN',
    'EHOSTUNREACH',
    'ENETUNREACH',
    'OidcTokenError',
]);
/**
 * Which STS failures are worth another attempt. AccessDenied (the trust policy said no) and
 * validation errors never change on retry; IDP hiccups, throttling, 5xx and the network do.
 * InvalidIdentityToken is transient with GitHub's issuer (STS sometimes fails to fetch its JWKS).
 */
function classifyStsError(err) {
    const name = errorName(err);
    if (TRANSIENT_NAMES.has(name))
        return 'transient';
    const code = err?.code;
    if (typeof code === 'string' && TRANSIENT_NAMES.has(code))
        return 'transient';
    const status = httpStatus(err);
    if (status !== undefined && (status >= 500 || status === 429))
        return 'transient';
    if (err?.$retryable)
        return 'transient';
    return 'permanent';
}
async function newStsClient(region) {
    const { STSClient } = await stsSdk();
    // One attempt per SDK call: our own loop retries, with a fresh OIDC token each time.
    return new STSClient({
        region,
        maxAttempts: 1,
        requestHandler: { connectionTimeout: 5000, requestTimeout: 15000 },
    });
}
/** AssumeRoleWithWebIdentity with GitHub's OIDC token, retried on transient failures only. */
async function assumeRoleWithOidc(opts) {
    const sleep = opts.sleep ?? realSleep;
    const clock = opts.clock ?? Date.now;
    const maxAttempts = opts.maxAttempts ?? 6;
    const budgetMs = opts.budgetMs ?? 60_000;
    const started = clock();
    const client = opts.client ?? (await newStsClient(opts.region));
    const { AssumeRoleWithWebIdentityCommand } = await stsSdk();
    /** Waits before the next attempt, or says the budget is spent. */
    const backoffOrGiveUp = async (attempt, err) => {
        const delay = backoffDelay(attempt - 1, { baseMs: 1000, capMs: 10_000, ...pick(opts.random) });
        if (attempt >= maxAttempts || clock() - started + delay > budgetMs)
            return false;
        opts.log?.(`AssumeRoleWithWebIdentity attempt ${attempt} failed (${errorName(err) || 'error'}: ${errorMessage(err)}); ` +
            `retrying in ${(delay / 1000).toFixed(1)} s with a fresh token`);
        await sleep(delay);
        return true;
    };
    let lastClaims = {};
    for (let attempt = 1;; attempt++) {
        let token;
        try {
            token = await opts.getToken(opts.audience);
        }
        catch (err) {
            const e = new Error(`could not get the GitHub OIDC token: ${errorMessage(err)}`);
            e.name = 'OidcTokenError';
            if (!(await backoffOrGiveUp(attempt, e))) {
                throw new ActionError(`Could not get the GitHub OIDC token after ${attempt} attempts: ${errorMessage(err)}`);
            }
            continue;
        }
        opts.mask(token);
        lastClaims = jwtClaims(token);
        try {
            const out = await client.send(new AssumeRoleWithWebIdentityCommand({
                RoleArn: opts.roleArn,
                RoleSessionName: opts.sessionName,
                WebIdentityToken: token,
                DurationSeconds: opts.durationSeconds,
            }));
            const c = out.Credentials;
            if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken) {
                throw new Error('STS answered without credentials');
            }
            opts.mask(c.AccessKeyId);
            opts.mask(c.SecretAccessKey);
            opts.mask(c.SessionToken);
            const arn = out.AssumedRoleUser?.Arn ?? '';
            const account = accountFromArn(arn) ?? accountFromArn(opts.roleArn) ?? '';
            const credentials = {
                accessKeyId: c.AccessKeyId,
                secretAccessKey: c.SecretAccessKey,
                sessionToken: c.SessionToken,
            };
            if (c.Expiration)
                credentials.expiration = c.Expiration;
            return { account, arn, credentials };
        }
        catch (err) {
            if (classifyStsError(err) === 'permanent')
                throw explainStsError(err, opts, lastClaims);
            if (!(await backoffOrGiveUp(attempt, err))) {
                throw new ActionError(`Could not assume role ${opts.roleArn}: STS kept failing after ${attempt} attempts ` +
                    `(${errorName(err) || 'error'}: ${errorMessage(err)}). This is usually temporary: re-run the job.`);
            }
        }
    }
}
function pick(random) {
    return random ? { random } : {};
}
function explainStsError(err, opts, claims) {
    const name = errorName(err);
    const sub = typeof claims.sub === 'string' ? claims.sub : '(unknown)';
    const aud = typeof claims.aud === 'string'
        ? claims.aud
        : Array.isArray(claims.aud)
            ? claims.aud.join(',')
            : '(unknown)';
    const iss = typeof claims.iss === 'string' ? claims.iss : 'https://token.actions.githubusercontent.com';
    const provider = iss.replace(/^https:\/\//, '');
    const account = accountFromArn(opts.roleArn) ?? '<account>';
    if (name === 'AccessDenied' || name === 'AccessDeniedException') {
        return new ActionError(`Could not assume role ${opts.roleArn}: AccessDenied (${errorMessage(err)}). The role's trust policy ` +
            `rejected this workflow's token: sub "${sub}", aud "${aud}". Check that the role exists and that its trust ` +
            `policy allows sts:AssumeRoleWithWebIdentity for the federated principal ` +
            `arn:aws:iam::${account}:oidc-provider/${provider} with conditions "${provider}:aud" = "${aud}" and ` +
            `"${provider}:sub" matching "${sub}" (sub is case-sensitive; use StringLike for wildcards).`);
    }
    if (name === 'ValidationError' && /DurationSeconds|MaxSessionDuration/i.test(errorMessage(err))) {
        return new ActionError(`Could not assume role ${opts.roleArn}: ${errorMessage(err)} Lower 'role-duration-seconds' ` +
            `(now ${opts.durationSeconds}) or raise the role's maximum session duration.`);
    }
    return new ActionError(`Could not assume role ${opts.roleArn}: ${name || 'error'}: ${errorMessage(err)}`);
}
/** The identity behind the default credential chain (role-to-assume empty). */
async function callerIdentity(region, client) {
    const { STSClient, GetCallerIdentityCommand } = await stsSdk();
    const sts = client ?? new STSClient({ region, maxAttempts: 4 });
    try {
        const out = await sts.send(new GetCallerIdentityCommand({}));
        const arn = out.Arn ?? '';
        return { account: out.Account ?? accountFromArn(arn) ?? '', arn };
    }
    catch (err) {
        const name = errorName(err);
        if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(errorMessage(err))) {
            throw new ActionError("No AWS credentials: set 'role-to-assume' (with `permissions: id-token: write`) or provide " +
                'credentials in the environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, or an instance role).');
        }
        throw new ActionError(`Could not identify the AWS credentials in the environment: ${name}: ${errorMessage(err)}`);
    }
}
/** Fails unless the identity's account is allowed. */
function checkAllowedAccount(identity, allowed) {
    if (allowed.length === 0)
        return;
    if (!allowed.includes(identity.account)) {
        throw new ActionError(`The credentials belong to account ${identity.account || '(unknown)'} (${identity.arn}), which is not in ` +
            `'allowed-account-ids' (${allowed.join(', ')}). Check 'role-to-assume' or the list.`);
    }
}

;// CONCATENATED MODULE: ./src/push.ts








/** OIDC → STS → ECR login → docker push of every tag → digest cross-checked with ECR. */
async function pushImage(inputs, deps) {
    const { env, defer } = deps;
    const baseDocker = new Docker(stringEnv(env));
    // Loading the OIDC client overlaps with the local image check.
    if (inputs.roleToAssume !== undefined)
        preloadOidc();
    // A missing local image is found before any network call: nothing happens at all.
    const imageId = await baseDocker.imageId(inputs.image);
    if (imageId === undefined) {
        throw new ActionError(`Local image '${inputs.image}' not found. Build or pull it in an earlier step (docker build -t ${inputs.image} .), ` +
            `on the same runner, before this one.`);
    }
    debug(`local image ${inputs.image} = ${imageId}`);
    const identity = await resolveIdentity(inputs, env);
    checkAllowedAccount(identity, inputs.allowedAccountIds);
    info(`Acting as ${identity.arn} (account ${identity.account})`);
    const registryId = inputs.registryId ?? identity.account;
    const repositoryArn = `arn:aws:ecr:${inputs.region}:${registryId}:repository/${inputs.repository}`;
    const ecr = await createEcrClient(inputs.region, identity.credentials);
    const [auth, existing] = await Promise.all([
        getAuthorization(ecr, setSecret).catch((err) => {
            throw explainEcrError('ecr:GetAuthorizationToken', err, '*');
        }),
        findRepository(ecr, inputs.repository, registryId).catch((err) => {
            // Checking first gives a clear error before the push, but the push itself does not need the
            // permission: without it, warn and let the registry have the last word.
            if (errorName(err) === 'AccessDeniedException') {
                warning(`Could not check that repository '${inputs.repository}' exists: ecr:DescribeRepositories is not allowed ` +
                    `on ${repositoryArn}. Pushing anyway; grant it for clearer errors and the repository's settings.`);
                return null;
            }
            throw explainEcrError('ecr:DescribeRepositories', err, repositoryArn);
        }),
    ]);
    const registry = registryHost(auth.proxyEndpoint, registryId);
    let repository = existing ?? undefined;
    if (existing === undefined) {
        if (!deps.onMissingRepository) {
            throw new ActionError(`Repository '${inputs.repository}' does not exist in registry ${registryId} (${inputs.region}). ` +
                `Set 'create-repository: true', or create it: aws ecr create-repository --repository-name ${inputs.repository} ` +
                `--image-scanning-configuration scanOnPush=true --region ${inputs.region}`);
        }
        repository = await deps.onMissingRepository(ecr, registryId);
    }
    // Log in: a private docker config that dies with the step, or the user's (keep-login).
    let docker;
    if (inputs.keepLogin) {
        docker = baseDocker;
        state_saveState({ logoutRegistry: registry, dockerConfig: userDockerConfigDir(env) });
    }
    else {
        const dir = await createPrivateConfig(env.RUNNER_TEMP || (await Promise.resolve(/* import() */).then(__nccwpck_require__.t.bind(__nccwpck_require__, 8161, 23))).tmpdir());
        state_saveState({ privateConfig: dir });
        defer(() => removeDir(dir));
        docker = new Docker(await privateDockerEnv(env, dir));
    }
    await docker.login(registry, auth);
    info(`Logged in to ${registry} (token valid until ${auth.expiresAt.toISOString()})`);
    // Tag and push every tag. On failure the local tags we made are removed again.
    const refs = imageRefs(registry, inputs.repository, inputs.tags, 'sha256:');
    const created = [];
    let digest;
    try {
        for (const tag of inputs.tags) {
            const target = `${refs.repositoryUri}:${tag}`;
            await docker.tag(inputs.image, target);
            created.push(target);
        }
        for (const target of created) {
            const r = await docker.push(target);
            if (r.code !== 0)
                throw new ActionError(explainPushFailure(target, inputs.repository, r.stderr + r.stdout));
            const d = parsePushDigest(r.stdout);
            if (!d)
                throw new ActionError(`docker push ${target} succeeded but printed no digest`);
            if (digest !== undefined && d !== digest) {
                throw new ActionError(`docker pushed two digests for one image: ${digest} and ${d} (${target})`);
            }
            digest = d;
        }
    }
    catch (err) {
        await Promise.all(created.map((ref) => docker.untag(ref)));
        throw err;
    }
    if (digest === undefined)
        throw new ActionError('nothing was pushed');
    // ECR is the source of truth for what a tag now points at.
    const ecrDigests = await digestsForTags(ecr, inputs.repository, inputs.tags, registryId).catch((err) => {
        throw explainEcrError('ecr:DescribeImages', err, repositoryArn);
    });
    for (const [tag, d] of ecrDigests) {
        if (d !== digest) {
            throw new ActionError(`ECR reports ${d ?? 'no image'} for ${refs.repositoryUri}:${tag}, but docker pushed ${digest}. ` +
                `Another job may have pushed the same tag at the same time: do not deploy this tag; re-run.`);
        }
    }
    return {
        ...imageRefs(registry, inputs.repository, inputs.tags, digest),
        identity,
        ecr,
        registryId,
        repository,
        digest,
        tags: inputs.tags,
        tokenExpiresAt: auth.expiresAt,
        docker,
        imageId,
    };
}
async function resolveIdentity(inputs, env) {
    if (inputs.roleToAssume === undefined) {
        info('No role-to-assume: using the credentials in the environment (default AWS credential chain)');
        return callerIdentity(inputs.region);
    }
    requireOidc(env);
    return assumeRoleWithOidc({
        roleArn: inputs.roleToAssume,
        sessionName: inputs.roleSessionName,
        durationSeconds: inputs.roleDurationSeconds,
        region: inputs.region,
        audience: inputs.audience,
        getToken: getIdToken,
        mask: setSecret,
        log: info,
    });
}
function stringEnv(env) {
    const out = {};
    for (const [k, v] of Object.entries(env))
        if (v !== undefined)
            out[k] = v;
    return out;
}

;// CONCATENATED MODULE: ./src/main.ts









/** The action: orchestration only. Every decision lives in a module of its own. */
async function run(env = process.env) {
    const deferred = [];
    const report = new Report();
    let inputs;
    try {
        inputs = getInputs(env);
        debugInputs(inputs);
        // Everything that can be checked locally is, before any network call.
        const pre = { inputs, env };
        const [governance, gate, audit] = await Promise.all([
            prepareGovernance(pre),
            prepareGate(pre),
            prepareAudit(pre),
        ]);
        const i = inputs;
        const pushed = await pushImage(inputs, {
            env,
            defer: (fn) => deferred.push(fn),
            ...(inputs.createRepository
                ? { onMissingRepository: (ecr, registryId) => createRepository(i, ecr, registryId, env) }
                : {}),
        });
        setPushOutputs(pushed);
        report.add(10, pushSection(pushed));
        // After the push: governance, then the audit and the scan wait side by side (the wait is idle
        // polling; the audit reads the image locally).
        const ctx = { inputs, pushed, report, env, clock: Date.now, sleep: realSleep };
        const outcomes = [await runGovernance(ctx, governance)];
        outcomes.push(...(await Promise.all([runAudit(ctx, audit), runGate(ctx, gate)])));
        const failures = outcomes.flatMap((o) => (o.failure ? [o.failure] : []));
        if (failures.length > 0) {
            process.exitCode = 1;
            for (const f of failures)
                error(f);
        }
    }
    catch (err) {
        fail(err);
    }
    finally {
        for (const fn of deferred.reverse()) {
            await fn().catch((err) => warning(`Cleanup failed: ${errorMessage(err)}`));
        }
        if (inputs?.summary && !report.empty) {
            await summary/* summary */.z
                .addRaw(report.markdown())
                .write()
                .catch((err) => warning(`Could not write the job summary: ${errorMessage(err)}`));
        }
    }
}
function fail(err) {
    if (err instanceof InputError) {
        for (const problem of err.problems)
            error(problem);
        process.exitCode = 1;
        return;
    }
    setFailed(errorMessage(err));
}
function debugInputs(inputs) {
    if (!isDebug())
        return;
    for (const [k, v] of Object.entries(inputs))
        debug(`input ${k} = ${JSON.stringify(v)}`);
}
function setPushOutputs(p) {
    setOutput('registry', p.registry);
    setOutput('repository-uri', p.repositoryUri);
    setOutput('image-uri', p.imageUri);
    setOutput('image-digest', p.digest);
    setOutput('image-ref', p.imageRef);
    setOutput('tags', p.tags.join(','));
    setOutput('aws-account-id', p.identity.account);
    setOutput('token-expires-at', p.tokenExpiresAt.toISOString());
    info(`Pushed ${p.imageRef}`);
}
function pushSection(p) {
    return [
        '### Pushed',
        '',
        '| | |',
        '|---|---|',
        `| Image (deploy this) | \`${cell(p.imageRef)}\` |`,
        `| Tags | ${p.tags.map((t) => `\`${cell(t)}\``).join(', ')} |`,
        `| Registry | \`${cell(p.registry)}\` (account ${p.registryId}) |`,
        `| Pushed as | \`${cell(p.identity.arn)}\` |`,
    ].join('\n');
}


/***/ }),

/***/ 2613:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("assert");

/***/ }),

/***/ 181:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("buffer");

/***/ }),

/***/ 4434:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 9896:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs");

/***/ }),

/***/ 8611:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("http");

/***/ }),

/***/ 5692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("https");

/***/ }),

/***/ 9278:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("net");

/***/ }),

/***/ 4589:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:assert");

/***/ }),

/***/ 6698:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:async_hooks");

/***/ }),

/***/ 4573:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:buffer");

/***/ }),

/***/ 1421:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");

/***/ }),

/***/ 7540:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:console");

/***/ }),

/***/ 7598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

/***/ }),

/***/ 3053:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:diagnostics_channel");

/***/ }),

/***/ 610:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:dns");

/***/ }),

/***/ 8474:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:events");

/***/ }),

/***/ 3024:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs");

/***/ }),

/***/ 1455:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:fs/promises");

/***/ }),

/***/ 7067:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http");

/***/ }),

/***/ 2467:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:http2");

/***/ }),

/***/ 4708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:https");

/***/ }),

/***/ 7030:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:net");

/***/ }),

/***/ 8161:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");

/***/ }),

/***/ 6760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 643:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:perf_hooks");

/***/ }),

/***/ 1708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:process");

/***/ }),

/***/ 1792:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:querystring");

/***/ }),

/***/ 7075:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

/***/ }),

/***/ 6466:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream/promises");

/***/ }),

/***/ 1692:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:tls");

/***/ }),

/***/ 3136:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:url");

/***/ }),

/***/ 7975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

/***/ }),

/***/ 3429:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util/types");

/***/ }),

/***/ 5919:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:worker_threads");

/***/ }),

/***/ 8522:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:zlib");

/***/ }),

/***/ 857:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("os");

/***/ }),

/***/ 6928:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("path");

/***/ }),

/***/ 932:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("process");

/***/ }),

/***/ 3193:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("string_decoder");

/***/ }),

/***/ 4756:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("tls");

/***/ }),

/***/ 9023:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("util");

/***/ }),

/***/ 7349:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var Scalar = __nccwpck_require__(3301);
var YAMLMap = __nccwpck_require__(4454);
var YAMLSeq = __nccwpck_require__(2223);
var resolveBlockMap = __nccwpck_require__(7103);
var resolveBlockSeq = __nccwpck_require__(334);
var resolveFlowCollection = __nccwpck_require__(3142);

function resolveCollection(CN, ctx, token, onError, tagName, tag) {
    const coll = token.type === 'block-map'
        ? resolveBlockMap.resolveBlockMap(CN, ctx, token, onError, tag)
        : token.type === 'block-seq'
            ? resolveBlockSeq.resolveBlockSeq(CN, ctx, token, onError, tag)
            : resolveFlowCollection.resolveFlowCollection(CN, ctx, token, onError, tag);
    const Coll = coll.constructor;
    // If we got a tagName matching the class, or the tag name is '!',
    // then use the tagName from the node class used to create it.
    if (tagName === '!' || tagName === Coll.tagName) {
        coll.tag = Coll.tagName;
        return coll;
    }
    if (tagName)
        coll.tag = tagName;
    return coll;
}
function composeCollection(CN, ctx, token, props, onError) {
    const tagToken = props.tag;
    const tagName = !tagToken
        ? null
        : ctx.directives.tagName(tagToken.source, msg => onError(tagToken, 'TAG_RESOLVE_FAILED', msg));
    if (token.type === 'block-seq') {
        const { anchor, newlineAfterProp: nl } = props;
        const lastProp = anchor && tagToken
            ? anchor.offset > tagToken.offset
                ? anchor
                : tagToken
            : (anchor ?? tagToken);
        if (lastProp && (!nl || nl.offset < lastProp.offset)) {
            const message = 'Missing newline after block sequence props';
            onError(lastProp, 'MISSING_CHAR', message);
        }
    }
    const expType = token.type === 'block-map'
        ? 'map'
        : token.type === 'block-seq'
            ? 'seq'
            : token.start.source === '{'
                ? 'map'
                : 'seq';
    // shortcut: check if it's a generic YAMLMap or YAMLSeq
    // before jumping into the custom tag logic.
    if (!tagToken ||
        !tagName ||
        tagName === '!' ||
        (tagName === YAMLMap.YAMLMap.tagName && expType === 'map') ||
        (tagName === YAMLSeq.YAMLSeq.tagName && expType === 'seq')) {
        return resolveCollection(CN, ctx, token, onError, tagName);
    }
    let tag = ctx.schema.tags.find(t => t.tag === tagName && t.collection === expType);
    if (!tag) {
        const kt = ctx.schema.knownTags[tagName];
        if (kt?.collection === expType) {
            ctx.schema.tags.push(Object.assign({}, kt, { default: false }));
            tag = kt;
        }
        else {
            if (kt) {
                onError(tagToken, 'BAD_COLLECTION_TYPE', `${kt.tag} used for ${expType} collection, but expects ${kt.collection ?? 'scalar'}`, true);
            }
            else {
                onError(tagToken, 'TAG_RESOLVE_FAILED', `Unresolved tag: ${tagName}`, true);
            }
            return resolveCollection(CN, ctx, token, onError, tagName);
        }
    }
    const coll = resolveCollection(CN, ctx, token, onError, tagName, tag);
    const res = tag.resolve?.(coll, msg => onError(tagToken, 'TAG_RESOLVE_FAILED', msg), ctx.options) ?? coll;
    const node = identity.isNode(res)
        ? res
        : new Scalar.Scalar(res);
    node.range = coll.range;
    node.tag = tagName;
    if (tag?.format)
        node.format = tag.format;
    return node;
}

exports.composeCollection = composeCollection;


/***/ }),

/***/ 3683:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Document = __nccwpck_require__(3021);
var composeNode = __nccwpck_require__(5937);
var resolveEnd = __nccwpck_require__(7788);
var resolveProps = __nccwpck_require__(4631);

function composeDoc(options, directives, { offset, start, value, end }, onError) {
    const opts = Object.assign({ _directives: directives }, options);
    const doc = new Document.Document(undefined, opts);
    const ctx = {
        atKey: false,
        atRoot: true,
        directives: doc.directives,
        options: doc.options,
        schema: doc.schema
    };
    const props = resolveProps.resolveProps(start, {
        indicator: 'doc-start',
        next: value ?? end?.[0],
        offset,
        onError,
        parentIndent: 0,
        startOnNewline: true
    });
    if (props.found) {
        doc.directives.docStart = true;
        if (value &&
            (value.type === 'block-map' || value.type === 'block-seq') &&
            !props.hasNewline)
            onError(props.end, 'MISSING_CHAR', 'Block collection cannot start on same line with directives-end marker');
    }
    // @ts-expect-error If Contents is set, let's trust the user
    doc.contents = value
        ? composeNode.composeNode(ctx, value, props, onError)
        : composeNode.composeEmptyNode(ctx, props.end, start, null, props, onError);
    const contentEnd = doc.contents.range[2];
    const re = resolveEnd.resolveEnd(end, contentEnd, false, onError);
    if (re.comment)
        doc.comment = re.comment;
    doc.range = [offset, contentEnd, re.offset];
    return doc;
}

exports.composeDoc = composeDoc;


/***/ }),

/***/ 5937:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Alias = __nccwpck_require__(4065);
var identity = __nccwpck_require__(1127);
var composeCollection = __nccwpck_require__(7349);
var composeScalar = __nccwpck_require__(5413);
var resolveEnd = __nccwpck_require__(7788);
var utilEmptyScalarPosition = __nccwpck_require__(2599);

const CN = { composeNode, composeEmptyNode };
function composeNode(ctx, token, props, onError) {
    const atKey = ctx.atKey;
    const { spaceBefore, comment, anchor, tag } = props;
    let node;
    let isSrcToken = true;
    switch (token.type) {
        case 'alias':
            node = composeAlias(ctx, token, onError);
            if (anchor || tag)
                onError(token, 'ALIAS_PROPS', 'An alias node must not specify any properties');
            break;
        case 'scalar':
        case 'single-quoted-scalar':
        case 'double-quoted-scalar':
        case 'block-scalar':
            node = composeScalar.composeScalar(ctx, token, tag, onError);
            if (anchor)
                node.anchor = anchor.source.substring(1);
            break;
        case 'block-map':
        case 'block-seq':
        case 'flow-collection':
            try {
                node = composeCollection.composeCollection(CN, ctx, token, props, onError);
                if (anchor)
                    node.anchor = anchor.source.substring(1);
            }
            catch (error) {
                // Almost certainly here due to a stack overflow
                const message = error instanceof Error ? error.message : String(error);
                onError(token, 'RESOURCE_EXHAUSTION', message);
            }
            break;
        default: {
            const message = token.type === 'error'
                ? token.message
                : `Unsupported token (type: ${token.type})`;
            onError(token, 'UNEXPECTED_TOKEN', message);
            isSrcToken = false;
        }
    }
    node ?? (node = composeEmptyNode(ctx, token.offset, undefined, null, props, onError));
    if (anchor && node.anchor === '')
        onError(anchor, 'BAD_ALIAS', 'Anchor cannot be an empty string');
    if (atKey &&
        ctx.options.stringKeys &&
        (!identity.isScalar(node) ||
            typeof node.value !== 'string' ||
            (node.tag && node.tag !== 'tag:yaml.org,2002:str'))) {
        const msg = 'With stringKeys, all keys must be strings';
        onError(tag ?? token, 'NON_STRING_KEY', msg);
    }
    if (spaceBefore)
        node.spaceBefore = true;
    if (comment) {
        if (token.type === 'scalar' && token.source === '')
            node.comment = comment;
        else
            node.commentBefore = comment;
    }
    // @ts-expect-error Type checking misses meaning of isSrcToken
    if (ctx.options.keepSourceTokens && isSrcToken)
        node.srcToken = token;
    return node;
}
function composeEmptyNode(ctx, offset, before, pos, { spaceBefore, comment, anchor, tag, end }, onError) {
    const token = {
        type: 'scalar',
        offset: utilEmptyScalarPosition.emptyScalarPosition(offset, before, pos),
        indent: -1,
        source: ''
    };
    const node = composeScalar.composeScalar(ctx, token, tag, onError);
    if (anchor) {
        node.anchor = anchor.source.substring(1);
        if (node.anchor === '')
            onError(anchor, 'BAD_ALIAS', 'Anchor cannot be an empty string');
    }
    if (spaceBefore)
        node.spaceBefore = true;
    if (comment) {
        node.comment = comment;
        node.range[2] = end;
    }
    return node;
}
function composeAlias({ options }, { offset, source, end }, onError) {
    const alias = new Alias.Alias(source.substring(1));
    if (alias.source === '')
        onError(offset, 'BAD_ALIAS', 'Alias cannot be an empty string');
    if (alias.source.endsWith(':'))
        onError(offset + source.length - 1, 'BAD_ALIAS', 'Alias ending in : is ambiguous', true);
    const valueEnd = offset + source.length;
    const re = resolveEnd.resolveEnd(end, valueEnd, options.strict, onError);
    alias.range = [offset, valueEnd, re.offset];
    if (re.comment)
        alias.comment = re.comment;
    return alias;
}

exports.composeEmptyNode = composeEmptyNode;
exports.composeNode = composeNode;


/***/ }),

/***/ 5413:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var Scalar = __nccwpck_require__(3301);
var resolveBlockScalar = __nccwpck_require__(8913);
var resolveFlowScalar = __nccwpck_require__(6842);

function composeScalar(ctx, token, tagToken, onError) {
    const { value, type, comment, range } = token.type === 'block-scalar'
        ? resolveBlockScalar.resolveBlockScalar(ctx, token, onError)
        : resolveFlowScalar.resolveFlowScalar(token, ctx.options.strict, onError);
    const tagName = tagToken
        ? ctx.directives.tagName(tagToken.source, msg => onError(tagToken, 'TAG_RESOLVE_FAILED', msg))
        : null;
    let tag;
    if (ctx.options.stringKeys && ctx.atKey) {
        tag = ctx.schema[identity.SCALAR];
    }
    else if (tagName)
        tag = findScalarTagByName(ctx.schema, value, tagName, tagToken, onError);
    else if (token.type === 'scalar')
        tag = findScalarTagByTest(ctx, value, token, onError);
    else
        tag = ctx.schema[identity.SCALAR];
    let scalar;
    try {
        const res = tag.resolve(value, msg => onError(tagToken ?? token, 'TAG_RESOLVE_FAILED', msg), ctx.options);
        scalar = identity.isScalar(res) ? res : new Scalar.Scalar(res);
    }
    catch (error) {
        const msg = error instanceof Error ? error.message : String(error);
        onError(tagToken ?? token, 'TAG_RESOLVE_FAILED', msg);
        scalar = new Scalar.Scalar(value);
    }
    scalar.range = range;
    scalar.source = value;
    if (type)
        scalar.type = type;
    if (tagName)
        scalar.tag = tagName;
    if (tag.format)
        scalar.format = tag.format;
    if (comment)
        scalar.comment = comment;
    return scalar;
}
function findScalarTagByName(schema, value, tagName, tagToken, onError) {
    if (tagName === '!')
        return schema[identity.SCALAR]; // non-specific tag
    const matchWithTest = [];
    for (const tag of schema.tags) {
        if (!tag.collection && tag.tag === tagName) {
            if (tag.default && tag.test)
                matchWithTest.push(tag);
            else
                return tag;
        }
    }
    for (const tag of matchWithTest)
        if (tag.test?.test(value))
            return tag;
    const kt = schema.knownTags[tagName];
    if (kt && !kt.collection) {
        // Ensure that the known tag is available for stringifying,
        // but does not get used by default.
        schema.tags.push(Object.assign({}, kt, { default: false, test: undefined }));
        return kt;
    }
    onError(tagToken, 'TAG_RESOLVE_FAILED', `Unresolved tag: ${tagName}`, tagName !== 'tag:yaml.org,2002:str');
    return schema[identity.SCALAR];
}
function findScalarTagByTest({ atKey, directives, schema }, value, token, onError) {
    const tag = schema.tags.find(tag => (tag.default === true || (atKey && tag.default === 'key')) &&
        tag.test?.test(value)) || schema[identity.SCALAR];
    if (schema.compat) {
        const compat = schema.compat.find(tag => tag.default && tag.test?.test(value)) ??
            schema[identity.SCALAR];
        if (tag.tag !== compat.tag) {
            const ts = directives.tagString(tag.tag);
            const cs = directives.tagString(compat.tag);
            const msg = `Value may be parsed as either ${ts} or ${cs}`;
            onError(token, 'TAG_RESOLVE_FAILED', msg, true);
        }
    }
    return tag;
}

exports.composeScalar = composeScalar;


/***/ }),

/***/ 9984:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var node_process = __nccwpck_require__(932);
var directives = __nccwpck_require__(1342);
var Document = __nccwpck_require__(3021);
var errors = __nccwpck_require__(1464);
var identity = __nccwpck_require__(1127);
var composeDoc = __nccwpck_require__(3683);
var resolveEnd = __nccwpck_require__(7788);

function getErrorPos(src) {
    if (typeof src === 'number')
        return [src, src + 1];
    if (Array.isArray(src))
        return src.length === 2 ? src : [src[0], src[1]];
    const { offset, source } = src;
    return [offset, offset + (typeof source === 'string' ? source.length : 1)];
}
function parsePrelude(prelude) {
    let comment = '';
    let atComment = false;
    let afterEmptyLine = false;
    for (let i = 0; i < prelude.length; ++i) {
        const source = prelude[i];
        switch (source[0]) {
            case '#':
                comment +=
                    (comment === '' ? '' : afterEmptyLine ? '\n\n' : '\n') +
                        (source.substring(1) || ' ');
                atComment = true;
                afterEmptyLine = false;
                break;
            case '%':
                if (prelude[i + 1]?.[0] !== '#')
                    i += 1;
                atComment = false;
                break;
            default:
                // This may be wrong after doc-end, but in that case it doesn't matter
                if (!atComment)
                    afterEmptyLine = true;
                atComment = false;
        }
    }
    return { comment, afterEmptyLine };
}
/**
 * Compose a stream of CST nodes into a stream of YAML Documents.
 *
 * ```ts
 * import { Composer, Parser } from 'yaml'
 *
 * const src: string = ...
 * const tokens = new Parser().parse(src)
 * const docs = new Composer().compose(tokens)
 * ```
 */
class Composer {
    constructor(options = {}) {
        this.doc = null;
        this.atDirectives = false;
        this.prelude = [];
        this.errors = [];
        this.warnings = [];
        this.onError = (source, code, message, warning) => {
            const pos = getErrorPos(source);
            if (warning)
                this.warnings.push(new errors.YAMLWarning(pos, code, message));
            else
                this.errors.push(new errors.YAMLParseError(pos, code, message));
        };
        // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing
        this.directives = new directives.Directives({ version: options.version || '1.2' });
        this.options = options;
    }
    decorate(doc, afterDoc) {
        const { comment, afterEmptyLine } = parsePrelude(this.prelude);
        //console.log({ dc: doc.comment, prelude, comment })
        if (comment) {
            const dc = doc.contents;
            if (afterDoc) {
                doc.comment = doc.comment ? `${doc.comment}\n${comment}` : comment;
            }
            else if (afterEmptyLine || doc.directives.docStart || !dc) {
                doc.commentBefore = comment;
            }
            else if (identity.isCollection(dc) && !dc.flow && dc.items.length > 0) {
                let it = dc.items[0];
                if (identity.isPair(it))
                    it = it.key;
                const cb = it.commentBefore;
                it.commentBefore = cb ? `${comment}\n${cb}` : comment;
            }
            else {
                const cb = dc.commentBefore;
                dc.commentBefore = cb ? `${comment}\n${cb}` : comment;
            }
        }
        if (afterDoc) {
            for (let i = 0; i < this.errors.length; ++i)
                doc.errors.push(this.errors[i]);
            for (let i = 0; i < this.warnings.length; ++i)
                doc.warnings.push(this.warnings[i]);
        }
        else {
            doc.errors = this.errors;
            doc.warnings = this.warnings;
        }
        this.prelude = [];
        this.errors = [];
        this.warnings = [];
    }
    /**
     * Current stream status information.
     *
     * Mostly useful at the end of input for an empty stream.
     */
    streamInfo() {
        return {
            comment: parsePrelude(this.prelude).comment,
            directives: this.directives,
            errors: this.errors,
            warnings: this.warnings
        };
    }
    /**
     * Compose tokens into documents.
     *
     * @param forceDoc - If the stream contains no document, still emit a final document including any comments and directives that would be applied to a subsequent document.
     * @param endOffset - Should be set if `forceDoc` is also set, to set the document range end and to indicate errors correctly.
     */
    *compose(tokens, forceDoc = false, endOffset = -1) {
        for (const token of tokens)
            yield* this.next(token);
        yield* this.end(forceDoc, endOffset);
    }
    /** Advance the composer by one CST token. */
    *next(token) {
        if (node_process.env.LOG_STREAM)
            console.dir(token, { depth: null });
        switch (token.type) {
            case 'directive':
                this.directives.add(token.source, (offset, message, warning) => {
                    const pos = getErrorPos(token);
                    pos[0] += offset;
                    this.onError(pos, 'BAD_DIRECTIVE', message, warning);
                });
                this.prelude.push(token.source);
                this.atDirectives = true;
                break;
            case 'document': {
                const doc = composeDoc.composeDoc(this.options, this.directives, token, this.onError);
                if (this.atDirectives && !doc.directives.docStart)
                    this.onError(token, 'MISSING_CHAR', 'Missing directives-end/doc-start indicator line');
                this.decorate(doc, false);
                if (this.doc)
                    yield this.doc;
                this.doc = doc;
                this.atDirectives = false;
                break;
            }
            case 'byte-order-mark':
            case 'space':
                break;
            case 'comment':
            case 'newline':
                this.prelude.push(token.source);
                break;
            case 'error': {
                const msg = token.source
                    ? `${token.message}: ${JSON.stringify(token.source)}`
                    : token.message;
                const error = new errors.YAMLParseError(getErrorPos(token), 'UNEXPECTED_TOKEN', msg);
                if (this.atDirectives || !this.doc)
                    this.errors.push(error);
                else
                    this.doc.errors.push(error);
                break;
            }
            case 'doc-end': {
                if (!this.doc) {
                    const msg = 'Unexpected doc-end without preceding document';
                    this.errors.push(new errors.YAMLParseError(getErrorPos(token), 'UNEXPECTED_TOKEN', msg));
                    break;
                }
                this.doc.directives.docEnd = true;
                const end = resolveEnd.resolveEnd(token.end, token.offset + token.source.length, this.doc.options.strict, this.onError);
                this.decorate(this.doc, true);
                if (end.comment) {
                    const dc = this.doc.comment;
                    this.doc.comment = dc ? `${dc}\n${end.comment}` : end.comment;
                }
                this.doc.range[2] = end.offset;
                break;
            }
            default:
                this.errors.push(new errors.YAMLParseError(getErrorPos(token), 'UNEXPECTED_TOKEN', `Unsupported token ${token.type}`));
        }
    }
    /**
     * Call at end of input to yield any remaining document.
     *
     * @param forceDoc - If the stream contains no document, still emit a final document including any comments and directives that would be applied to a subsequent document.
     * @param endOffset - Should be set if `forceDoc` is also set, to set the document range end and to indicate errors correctly.
     */
    *end(forceDoc = false, endOffset = -1) {
        if (this.doc) {
            this.decorate(this.doc, true);
            yield this.doc;
            this.doc = null;
        }
        else if (forceDoc) {
            const opts = Object.assign({ _directives: this.directives }, this.options);
            const doc = new Document.Document(undefined, opts);
            if (this.atDirectives)
                this.onError(endOffset, 'MISSING_CHAR', 'Missing directives-end indicator line');
            doc.range = [0, endOffset, endOffset];
            this.decorate(doc, false);
            yield doc;
        }
    }
}

exports.Composer = Composer;


/***/ }),

/***/ 7103:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Pair = __nccwpck_require__(7165);
var YAMLMap = __nccwpck_require__(4454);
var resolveProps = __nccwpck_require__(4631);
var utilContainsNewline = __nccwpck_require__(9499);
var utilFlowIndentCheck = __nccwpck_require__(4051);
var utilMapIncludes = __nccwpck_require__(1187);

const startColMsg = 'All mapping items must start at the same column';
function resolveBlockMap({ composeNode, composeEmptyNode }, ctx, bm, onError, tag) {
    const NodeClass = tag?.nodeClass ?? YAMLMap.YAMLMap;
    const map = new NodeClass(ctx.schema);
    if (ctx.atRoot)
        ctx.atRoot = false;
    let offset = bm.offset;
    let commentEnd = null;
    for (const collItem of bm.items) {
        const { start, key, sep, value } = collItem;
        // key properties
        const keyProps = resolveProps.resolveProps(start, {
            indicator: 'explicit-key-ind',
            next: key ?? sep?.[0],
            offset,
            onError,
            parentIndent: bm.indent,
            startOnNewline: true
        });
        const implicitKey = !keyProps.found;
        if (implicitKey) {
            if (key) {
                if (key.type === 'block-seq')
                    onError(offset, 'BLOCK_AS_IMPLICIT_KEY', 'A block sequence may not be used as an implicit map key');
                else if ('indent' in key && key.indent !== bm.indent)
                    onError(offset, 'BAD_INDENT', startColMsg);
            }
            if (!keyProps.anchor && !keyProps.tag && !sep) {
                commentEnd = keyProps.end;
                if (keyProps.comment) {
                    if (map.comment)
                        map.comment += '\n' + keyProps.comment;
                    else
                        map.comment = keyProps.comment;
                }
                continue;
            }
            if (keyProps.newlineAfterProp || utilContainsNewline.containsNewline(key)) {
                onError(key ?? start[start.length - 1], 'MULTILINE_IMPLICIT_KEY', 'Implicit keys need to be on a single line');
            }
        }
        else if (keyProps.found?.indent !== bm.indent) {
            onError(offset, 'BAD_INDENT', startColMsg);
        }
        // key value
        ctx.atKey = true;
        const keyStart = keyProps.end;
        const keyNode = key
            ? composeNode(ctx, key, keyProps, onError)
            : composeEmptyNode(ctx, keyStart, start, null, keyProps, onError);
        if (ctx.schema.compat)
            utilFlowIndentCheck.flowIndentCheck(bm.indent, key, onError);
        ctx.atKey = false;
        if (utilMapIncludes.mapIncludes(ctx, map.items, keyNode))
            onError(keyStart, 'DUPLICATE_KEY', 'Map keys must be unique');
        // value properties
        const valueProps = resolveProps.resolveProps(sep ?? [], {
            indicator: 'map-value-ind',
            next: value,
            offset: keyNode.range[2],
            onError,
            parentIndent: bm.indent,
            startOnNewline: !key || key.type === 'block-scalar'
        });
        offset = valueProps.end;
        if (valueProps.found) {
            if (implicitKey) {
                if (value?.type === 'block-map' && !valueProps.hasNewline)
                    onError(offset, 'BLOCK_AS_IMPLICIT_KEY', 'Nested mappings are not allowed in compact mappings');
                if (ctx.options.strict &&
                    keyProps.start < valueProps.found.offset - 1024)
                    onError(keyNode.range, 'KEY_OVER_1024_CHARS', 'The : indicator must be at most 1024 chars after the start of an implicit block mapping key');
            }
            // value value
            const valueNode = value
                ? composeNode(ctx, value, valueProps, onError)
                : composeEmptyNode(ctx, offset, sep, null, valueProps, onError);
            if (ctx.schema.compat)
                utilFlowIndentCheck.flowIndentCheck(bm.indent, value, onError);
            offset = valueNode.range[2];
            const pair = new Pair.Pair(keyNode, valueNode);
            if (ctx.options.keepSourceTokens)
                pair.srcToken = collItem;
            map.items.push(pair);
        }
        else {
            // key with no value
            if (implicitKey)
                onError(keyNode.range, 'MISSING_CHAR', 'Implicit map keys need to be followed by map values');
            if (valueProps.comment) {
                if (keyNode.comment)
                    keyNode.comment += '\n' + valueProps.comment;
                else
                    keyNode.comment = valueProps.comment;
            }
            const pair = new Pair.Pair(keyNode);
            if (ctx.options.keepSourceTokens)
                pair.srcToken = collItem;
            map.items.push(pair);
        }
    }
    if (commentEnd && commentEnd < offset)
        onError(commentEnd, 'IMPOSSIBLE', 'Map comment with trailing content');
    map.range = [bm.offset, offset, commentEnd ?? offset];
    return map;
}

exports.resolveBlockMap = resolveBlockMap;


/***/ }),

/***/ 8913:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Scalar = __nccwpck_require__(3301);

function resolveBlockScalar(ctx, scalar, onError) {
    const start = scalar.offset;
    const header = parseBlockScalarHeader(scalar, ctx.options.strict, onError);
    if (!header)
        return { value: '', type: null, comment: '', range: [start, start, start] };
    const type = header.mode === '>' ? Scalar.Scalar.BLOCK_FOLDED : Scalar.Scalar.BLOCK_LITERAL;
    const lines = scalar.source ? splitLines(scalar.source) : [];
    // determine the end of content & start of chomping
    let chompStart = lines.length;
    for (let i = lines.length - 1; i >= 0; --i) {
        const content = lines[i][1];
        if (content === '' || content === '\r')
            chompStart = i;
        else
            break;
    }
    // shortcut for empty contents
    if (chompStart === 0) {
        const value = header.chomp === '+' && lines.length > 0
            ? '\n'.repeat(Math.max(1, lines.length - 1))
            : '';
        let end = start + header.length;
        if (scalar.source)
            end += scalar.source.length;
        return { value, type, comment: header.comment, range: [start, end, end] };
    }
    // find the indentation level to trim from start
    let trimIndent = scalar.indent + header.indent;
    let offset = scalar.offset + header.length;
    let contentStart = 0;
    for (let i = 0; i < chompStart; ++i) {
        const [indent, content] = lines[i];
        if (content === '' || content === '\r') {
            if (header.indent === 0 && indent.length > trimIndent)
                trimIndent = indent.length;
        }
        else {
            if (indent.length < trimIndent) {
                const message = 'Block scalars with more-indented leading empty lines must use an explicit indentation indicator';
                onError(offset + indent.length, 'MISSING_CHAR', message);
            }
            if (header.indent === 0)
                trimIndent = indent.length;
            contentStart = i;
            if (trimIndent === 0 && !ctx.atRoot) {
                const message = 'Block scalar values in collections must be indented';
                onError(offset, 'BAD_INDENT', message);
            }
            break;
        }
        offset += indent.length + content.length + 1;
    }
    // include trailing more-indented empty lines in content
    for (let i = lines.length - 1; i >= chompStart; --i) {
        if (lines[i][0].length > trimIndent)
            chompStart = i + 1;
    }
    let value = '';
    let sep = '';
    let prevMoreIndented = false;
    // leading whitespace is kept intact
    for (let i = 0; i < contentStart; ++i)
        value += lines[i][0].slice(trimIndent) + '\n';
    for (let i = contentStart; i < chompStart; ++i) {
        let [indent, content] = lines[i];
        offset += indent.length + content.length + 1;
        const crlf = content[content.length - 1] === '\r';
        if (crlf)
            content = content.slice(0, -1);
        /* istanbul ignore if already caught in lexer */
        if (content && indent.length < trimIndent) {
            const src = header.indent
                ? 'explicit indentation indicator'
                : 'first line';
            const message = `Block scalar lines must not be less indented than their ${src}`;
            onError(offset - content.length - (crlf ? 2 : 1), 'BAD_INDENT', message);
            indent = '';
        }
        if (type === Scalar.Scalar.BLOCK_LITERAL) {
            value += sep + indent.slice(trimIndent) + content;
            sep = '\n';
        }
        else if (indent.length > trimIndent || content[0] === '\t') {
            // more-indented content within a folded block
            if (sep === ' ')
                sep = '\n';
            else if (!prevMoreIndented && sep === '\n')
                sep = '\n\n';
            value += sep + indent.slice(trimIndent) + content;
            sep = '\n';
            prevMoreIndented = true;
        }
        else if (content === '') {
            // empty line
            if (sep === '\n')
                value += '\n';
            else
                sep = '\n';
        }
        else {
            value += sep + content;
            sep = ' ';
            prevMoreIndented = false;
        }
    }
    switch (header.chomp) {
        case '-':
            break;
        case '+':
            for (let i = chompStart; i < lines.length; ++i)
                value += '\n' + lines[i][0].slice(trimIndent);
            if (value[value.length - 1] !== '\n')
                value += '\n';
            break;
        default:
            value += '\n';
    }
    const end = start + header.length + scalar.source.length;
    return { value, type, comment: header.comment, range: [start, end, end] };
}
function parseBlockScalarHeader({ offset, props }, strict, onError) {
    /* istanbul ignore if should not happen */
    if (props[0].type !== 'block-scalar-header') {
        onError(props[0], 'IMPOSSIBLE', 'Block scalar header not found');
        return null;
    }
    const { source } = props[0];
    const mode = source[0];
    let indent = 0;
    let chomp = '';
    let error = -1;
    for (let i = 1; i < source.length; ++i) {
        const ch = source[i];
        if (!chomp && (ch === '-' || ch === '+'))
            chomp = ch;
        else {
            const n = Number(ch);
            if (!indent && n)
                indent = n;
            else if (error === -1)
                error = offset + i;
        }
    }
    if (error !== -1)
        onError(error, 'UNEXPECTED_TOKEN', `Block scalar header includes extra characters: ${source}`);
    let hasSpace = false;
    let comment = '';
    let length = source.length;
    for (let i = 1; i < props.length; ++i) {
        const token = props[i];
        switch (token.type) {
            case 'space':
                hasSpace = true;
            // fallthrough
            case 'newline':
                length += token.source.length;
                break;
            case 'comment':
                if (strict && !hasSpace) {
                    const message = 'Comments must be separated from other tokens by white space characters';
                    onError(token, 'MISSING_CHAR', message);
                }
                length += token.source.length;
                comment = token.source.substring(1);
                break;
            case 'error':
                onError(token, 'UNEXPECTED_TOKEN', token.message);
                length += token.source.length;
                break;
            /* istanbul ignore next should not happen */
            default: {
                const message = `Unexpected token in block scalar header: ${token.type}`;
                onError(token, 'UNEXPECTED_TOKEN', message);
                const ts = token.source;
                if (ts && typeof ts === 'string')
                    length += ts.length;
            }
        }
    }
    return { mode, indent, chomp, comment, length };
}
/** @returns Array of lines split up as `[indent, content]` */
function splitLines(source) {
    const split = source.split(/\n( *)/);
    const first = split[0];
    const m = first.match(/^( *)/);
    const line0 = m?.[1]
        ? [m[1], first.slice(m[1].length)]
        : ['', first];
    const lines = [line0];
    for (let i = 1; i < split.length; i += 2)
        lines.push([split[i], split[i + 1]]);
    return lines;
}

exports.resolveBlockScalar = resolveBlockScalar;


/***/ }),

/***/ 334:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var YAMLSeq = __nccwpck_require__(2223);
var resolveProps = __nccwpck_require__(4631);
var utilFlowIndentCheck = __nccwpck_require__(4051);

function resolveBlockSeq({ composeNode, composeEmptyNode }, ctx, bs, onError, tag) {
    const NodeClass = tag?.nodeClass ?? YAMLSeq.YAMLSeq;
    const seq = new NodeClass(ctx.schema);
    if (ctx.atRoot)
        ctx.atRoot = false;
    if (ctx.atKey)
        ctx.atKey = false;
    let offset = bs.offset;
    let commentEnd = null;
    for (const { start, value } of bs.items) {
        const props = resolveProps.resolveProps(start, {
            indicator: 'seq-item-ind',
            next: value,
            offset,
            onError,
            parentIndent: bs.indent,
            startOnNewline: true
        });
        if (!props.found) {
            if (props.anchor || props.tag || value) {
                if (value?.type === 'block-seq')
                    onError(props.end, 'BAD_INDENT', 'All sequence items must start at the same column');
                else
                    onError(offset, 'MISSING_CHAR', 'Sequence item without - indicator');
            }
            else {
                commentEnd = props.end;
                if (props.comment)
                    seq.comment = props.comment;
                continue;
            }
        }
        const node = value
            ? composeNode(ctx, value, props, onError)
            : composeEmptyNode(ctx, props.end, start, null, props, onError);
        if (ctx.schema.compat)
            utilFlowIndentCheck.flowIndentCheck(bs.indent, value, onError);
        offset = node.range[2];
        seq.items.push(node);
    }
    seq.range = [bs.offset, offset, commentEnd ?? offset];
    return seq;
}

exports.resolveBlockSeq = resolveBlockSeq;


/***/ }),

/***/ 7788:
/***/ ((__unused_webpack_module, exports) => {



function resolveEnd(end, offset, reqSpace, onError) {
    let comment = '';
    if (end) {
        let hasSpace = false;
        let sep = '';
        for (const token of end) {
            const { source, type } = token;
            switch (type) {
                case 'space':
                    hasSpace = true;
                    break;
                case 'comment': {
                    if (reqSpace && !hasSpace)
                        onError(token, 'MISSING_CHAR', 'Comments must be separated from other tokens by white space characters');
                    const cb = source.substring(1) || ' ';
                    if (!comment)
                        comment = cb;
                    else
                        comment += sep + cb;
                    sep = '';
                    break;
                }
                case 'newline':
                    if (comment)
                        sep += source;
                    hasSpace = true;
                    break;
                default:
                    onError(token, 'UNEXPECTED_TOKEN', `Unexpected ${type} at node end`);
            }
            offset += source.length;
        }
    }
    return { comment, offset };
}

exports.resolveEnd = resolveEnd;


/***/ }),

/***/ 3142:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var Pair = __nccwpck_require__(7165);
var YAMLMap = __nccwpck_require__(4454);
var YAMLSeq = __nccwpck_require__(2223);
var resolveEnd = __nccwpck_require__(7788);
var resolveProps = __nccwpck_require__(4631);
var utilContainsNewline = __nccwpck_require__(9499);
var utilMapIncludes = __nccwpck_require__(1187);

const blockMsg = 'Block collections are not allowed within flow collections';
const isBlock = (token) => token && (token.type === 'block-map' || token.type === 'block-seq');
function resolveFlowCollection({ composeNode, composeEmptyNode }, ctx, fc, onError, tag) {
    const isMap = fc.start.source === '{';
    const fcName = isMap ? 'flow map' : 'flow sequence';
    const NodeClass = (tag?.nodeClass ?? (isMap ? YAMLMap.YAMLMap : YAMLSeq.YAMLSeq));
    const coll = new NodeClass(ctx.schema);
    coll.flow = true;
    const atRoot = ctx.atRoot;
    if (atRoot)
        ctx.atRoot = false;
    if (ctx.atKey)
        ctx.atKey = false;
    let offset = fc.offset + fc.start.source.length;
    for (let i = 0; i < fc.items.length; ++i) {
        const collItem = fc.items[i];
        const { start, key, sep, value } = collItem;
        const props = resolveProps.resolveProps(start, {
            flow: fcName,
            indicator: 'explicit-key-ind',
            next: key ?? sep?.[0],
            offset,
            onError,
            parentIndent: fc.indent,
            startOnNewline: false
        });
        if (!props.found) {
            if (!props.anchor && !props.tag && !sep && !value) {
                if (i === 0 && props.comma)
                    onError(props.comma, 'UNEXPECTED_TOKEN', `Unexpected , in ${fcName}`);
                else if (i < fc.items.length - 1)
                    onError(props.start, 'UNEXPECTED_TOKEN', `Unexpected empty item in ${fcName}`);
                if (props.comment) {
                    if (coll.comment)
                        coll.comment += '\n' + props.comment;
                    else
                        coll.comment = props.comment;
                }
                offset = props.end;
                continue;
            }
            if (!isMap && ctx.options.strict && utilContainsNewline.containsNewline(key))
                onError(key, // checked by containsNewline()
                'MULTILINE_IMPLICIT_KEY', 'Implicit keys of flow sequence pairs need to be on a single line');
        }
        if (i === 0) {
            if (props.comma)
                onError(props.comma, 'UNEXPECTED_TOKEN', `Unexpected , in ${fcName}`);
        }
        else {
            if (!props.comma)
                onError(props.start, 'MISSING_CHAR', `Missing , between ${fcName} items`);
            if (props.comment) {
                let prevItemComment = '';
                loop: for (const st of start) {
                    switch (st.type) {
                        case 'comma':
                        case 'space':
                            break;
                        case 'comment':
                            prevItemComment = st.source.substring(1);
                            break loop;
                        default:
                            break loop;
                    }
                }
                if (prevItemComment) {
                    let prev = coll.items[coll.items.length - 1];
                    if (identity.isPair(prev))
                        prev = prev.value ?? prev.key;
                    if (prev.comment)
                        prev.comment += '\n' + prevItemComment;
                    else
                        prev.comment = prevItemComment;
                    props.comment = props.comment.substring(prevItemComment.length + 1);
                }
            }
        }
        if (!isMap && !sep && !props.found) {
            // item is a value in a seq
            // → key & sep are empty, start does not include ? or :
            const valueNode = value
                ? composeNode(ctx, value, props, onError)
                : composeEmptyNode(ctx, props.end, sep, null, props, onError);
            coll.items.push(valueNode);
            offset = valueNode.range[2];
            if (isBlock(value))
                onError(valueNode.range, 'BLOCK_IN_FLOW', blockMsg);
        }
        else {
            // item is a key+value pair
            // key value
            ctx.atKey = true;
            const keyStart = props.end;
            const keyNode = key
                ? composeNode(ctx, key, props, onError)
                : composeEmptyNode(ctx, keyStart, start, null, props, onError);
            if (isBlock(key))
                onError(keyNode.range, 'BLOCK_IN_FLOW', blockMsg);
            ctx.atKey = false;
            // value properties
            const valueProps = resolveProps.resolveProps(sep ?? [], {
                flow: fcName,
                indicator: 'map-value-ind',
                next: value,
                offset: keyNode.range[2],
                onError,
                parentIndent: fc.indent,
                startOnNewline: false
            });
            if (valueProps.found) {
                if (!isMap && !props.found && ctx.options.strict) {
                    if (sep)
                        for (const st of sep) {
                            if (st === valueProps.found)
                                break;
                            if (st.type === 'newline') {
                                onError(st, 'MULTILINE_IMPLICIT_KEY', 'Implicit keys of flow sequence pairs need to be on a single line');
                                break;
                            }
                        }
                    if (props.start < valueProps.found.offset - 1024)
                        onError(valueProps.found, 'KEY_OVER_1024_CHARS', 'The : indicator must be at most 1024 chars after the start of an implicit flow sequence key');
                }
            }
            else if (value) {
                if ('source' in value && value.source?.[0] === ':')
                    onError(value, 'MISSING_CHAR', `Missing space after : in ${fcName}`);
                else
                    onError(valueProps.start, 'MISSING_CHAR', `Missing , or : between ${fcName} items`);
            }
            // value value
            const valueNode = value
                ? composeNode(ctx, value, valueProps, onError)
                : valueProps.found
                    ? composeEmptyNode(ctx, valueProps.end, sep, null, valueProps, onError)
                    : null;
            if (valueNode) {
                if (isBlock(value))
                    onError(valueNode.range, 'BLOCK_IN_FLOW', blockMsg);
            }
            else if (valueProps.comment) {
                if (keyNode.comment)
                    keyNode.comment += '\n' + valueProps.comment;
                else
                    keyNode.comment = valueProps.comment;
            }
            const pair = new Pair.Pair(keyNode, valueNode);
            if (ctx.options.keepSourceTokens)
                pair.srcToken = collItem;
            if (isMap) {
                const map = coll;
                if (utilMapIncludes.mapIncludes(ctx, map.items, keyNode))
                    onError(keyStart, 'DUPLICATE_KEY', 'Map keys must be unique');
                map.items.push(pair);
            }
            else {
                const map = new YAMLMap.YAMLMap(ctx.schema);
                map.flow = true;
                map.items.push(pair);
                const endRange = (valueNode ?? keyNode).range;
                map.range = [keyNode.range[0], endRange[1], endRange[2]];
                coll.items.push(map);
            }
            offset = valueNode ? valueNode.range[2] : valueProps.end;
        }
    }
    const expectedEnd = isMap ? '}' : ']';
    const [ce, ...ee] = fc.end;
    let cePos = offset;
    if (ce?.source === expectedEnd)
        cePos = ce.offset + ce.source.length;
    else {
        const name = fcName[0].toUpperCase() + fcName.substring(1);
        const msg = atRoot
            ? `${name} must end with a ${expectedEnd}`
            : `${name} in block collection must be sufficiently indented and end with a ${expectedEnd}`;
        onError(offset, atRoot ? 'MISSING_CHAR' : 'BAD_INDENT', msg);
        if (ce && ce.source.length !== 1)
            ee.unshift(ce);
    }
    if (ee.length > 0) {
        const end = resolveEnd.resolveEnd(ee, cePos, ctx.options.strict, onError);
        if (end.comment) {
            if (coll.comment)
                coll.comment += '\n' + end.comment;
            else
                coll.comment = end.comment;
        }
        coll.range = [fc.offset, cePos, end.offset];
    }
    else {
        coll.range = [fc.offset, cePos, cePos];
    }
    return coll;
}

exports.resolveFlowCollection = resolveFlowCollection;


/***/ }),

/***/ 6842:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Scalar = __nccwpck_require__(3301);
var resolveEnd = __nccwpck_require__(7788);

function resolveFlowScalar(scalar, strict, onError) {
    const { offset, type, source, end } = scalar;
    let _type;
    let value;
    const _onError = (rel, code, msg) => onError(offset + rel, code, msg);
    switch (type) {
        case 'scalar':
            _type = Scalar.Scalar.PLAIN;
            value = plainValue(source, _onError);
            break;
        case 'single-quoted-scalar':
            _type = Scalar.Scalar.QUOTE_SINGLE;
            value = singleQuotedValue(source, _onError);
            break;
        case 'double-quoted-scalar':
            _type = Scalar.Scalar.QUOTE_DOUBLE;
            value = doubleQuotedValue(source, _onError);
            break;
        /* istanbul ignore next should not happen */
        default:
            onError(scalar, 'UNEXPECTED_TOKEN', `Expected a flow scalar value, but found: ${type}`);
            return {
                value: '',
                type: null,
                comment: '',
                range: [offset, offset + source.length, offset + source.length]
            };
    }
    const valueEnd = offset + source.length;
    const re = resolveEnd.resolveEnd(end, valueEnd, strict, onError);
    return {
        value,
        type: _type,
        comment: re.comment,
        range: [offset, valueEnd, re.offset]
    };
}
function plainValue(source, onError) {
    let badChar = '';
    switch (source[0]) {
        /* istanbul ignore next should not happen */
        case '\t':
            badChar = 'a tab character';
            break;
        case ',':
            badChar = 'flow indicator character ,';
            break;
        case '%':
            badChar = 'directive indicator character %';
            break;
        case '|':
        case '>': {
            badChar = `block scalar indicator ${source[0]}`;
            break;
        }
        case '@':
        case '`': {
            badChar = `reserved character ${source[0]}`;
            break;
        }
    }
    if (badChar)
        onError(0, 'BAD_SCALAR_START', `Plain value cannot start with ${badChar}`);
    return unfoldLines(source);
}
function singleQuotedValue(source, onError) {
    if (source[source.length - 1] !== "'" || source.length === 1)
        onError(source.length, 'MISSING_CHAR', "Missing closing 'quote");
    return unfoldLines(source.slice(1, -1)).replace(/''/g, "'");
}
function unfoldLines(source) {
    const line = /(.*?)\r?\n/sy;
    let match = line.exec(source);
    if (!match)
        return source;
    /**
     * The negative lookbehinds in these RegExps are to
     * prevent causing a polynomial search time in certain cases.
     *
     * The try-catch is for Safari < 16.4 and other old browsers:
     * https://caniuse.com/js-regexp-lookbehind
     */
    let trimEnd, trimBoth;
    try {
        trimEnd = new RegExp('(?<![ \t])[ \t]+$');
        trimBoth = new RegExp('^[ \t]+|(?<![ \t])[ \t]+$', 'g');
    }
    catch {
        trimEnd = /[ \t]+$/;
        trimBoth = /^[ \t]+|[ \t]+$/g;
    }
    let res = match[1].replace(trimEnd, '');
    let sep = ' ';
    let pos = line.lastIndex;
    while ((match = line.exec(source))) {
        const lm = match[1].replace(trimBoth, '');
        if (lm === '') {
            if (sep === '\n')
                res += sep;
            else
                sep = '\n';
        }
        else {
            res += sep + lm;
            sep = ' ';
        }
        pos = line.lastIndex;
    }
    const last = /[ \t]*(.*)/sy;
    last.lastIndex = pos;
    match = last.exec(source);
    return res + sep + (match?.[1] ?? '');
}
function doubleQuotedValue(source, onError) {
    let res = '';
    for (let i = 1; i < source.length - 1; ++i) {
        const ch = source[i];
        if (ch === '\r' && source[i + 1] === '\n')
            continue;
        if (ch === '\n') {
            const { fold, offset } = foldNewline(source, i);
            res += fold;
            i = offset;
        }
        else if (ch === '\\') {
            let next = source[++i];
            const cc = escapeCodes[next];
            if (cc)
                res += cc;
            else if (next === '\n') {
                // skip escaped newlines, but still trim the following line
                next = source[i + 1];
                while (next === ' ' || next === '\t')
                    next = source[++i + 1];
            }
            else if (next === '\r' && source[i + 1] === '\n') {
                // skip escaped CRLF newlines, but still trim the following line
                next = source[++i + 1];
                while (next === ' ' || next === '\t')
                    next = source[++i + 1];
            }
            else if (next === 'x' || next === 'u' || next === 'U') {
                const length = next === 'x' ? 2 : next === 'u' ? 4 : 8;
                res += parseCharCode(source, i + 1, length, onError);
                i += length;
            }
            else {
                const raw = source.substr(i - 1, 2);
                onError(i - 1, 'BAD_DQ_ESCAPE', `Invalid escape sequence ${raw}`);
                res += raw;
            }
        }
        else if (ch === ' ' || ch === '\t') {
            // trim trailing whitespace
            const wsStart = i;
            let next = source[i + 1];
            while (next === ' ' || next === '\t')
                next = source[++i + 1];
            if (next !== '\n' && !(next === '\r' && source[i + 2] === '\n'))
                res += i > wsStart ? source.slice(wsStart, i + 1) : ch;
        }
        else {
            res += ch;
        }
    }
    if (source[source.length - 1] !== '"' || source.length === 1)
        onError(source.length, 'MISSING_CHAR', 'Missing closing "quote');
    return res;
}
/**
 * Fold a single newline into a space, multiple newlines to N - 1 newlines.
 * Presumes `source[offset] === '\n'`
 */
function foldNewline(source, offset) {
    let fold = '';
    let ch = source[offset + 1];
    while (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
        if (ch === '\r' && source[offset + 2] !== '\n')
            break;
        if (ch === '\n')
            fold += '\n';
        offset += 1;
        ch = source[offset + 1];
    }
    if (!fold)
        fold = ' ';
    return { fold, offset };
}
const escapeCodes = {
    '0': '\0', // null character
    a: '\x07', // bell character
    b: '\b', // backspace
    e: '\x1b', // escape character
    f: '\f', // form feed
    n: '\n', // line feed
    r: '\r', // carriage return
    t: '\t', // horizontal tab
    v: '\v', // vertical tab
    N: '\u0085', // Unicode next line
    _: '\u00a0', // Unicode non-breaking space
    L: '\u2028', // Unicode line separator
    P: '\u2029', // Unicode paragraph separator
    ' ': ' ',
    '"': '"',
    '/': '/',
    '\\': '\\',
    '\t': '\t'
};
function parseCharCode(source, offset, length, onError) {
    const cc = source.substr(offset, length);
    const ok = cc.length === length && /^[0-9a-fA-F]+$/.test(cc);
    const code = ok ? parseInt(cc, 16) : NaN;
    try {
        return String.fromCodePoint(code);
    }
    catch {
        const raw = source.substr(offset - 2, length + 2);
        onError(offset - 2, 'BAD_DQ_ESCAPE', `Invalid escape sequence ${raw}`);
        return raw;
    }
}

exports.resolveFlowScalar = resolveFlowScalar;


/***/ }),

/***/ 4631:
/***/ ((__unused_webpack_module, exports) => {



function resolveProps(tokens, { flow, indicator, next, offset, onError, parentIndent, startOnNewline }) {
    let spaceBefore = false;
    let atNewline = startOnNewline;
    let hasSpace = startOnNewline;
    let comment = '';
    let commentSep = '';
    let hasNewline = false;
    let reqSpace = false;
    let tab = null;
    let anchor = null;
    let tag = null;
    let newlineAfterProp = null;
    let comma = null;
    let found = null;
    let start = null;
    for (const token of tokens) {
        if (reqSpace) {
            if (token.type !== 'space' &&
                token.type !== 'newline' &&
                token.type !== 'comma')
                onError(token.offset, 'MISSING_CHAR', 'Tags and anchors must be separated from the next token by white space');
            reqSpace = false;
        }
        if (tab) {
            if (atNewline && token.type !== 'comment' && token.type !== 'newline') {
                onError(tab, 'TAB_AS_INDENT', 'Tabs are not allowed as indentation');
            }
            tab = null;
        }
        switch (token.type) {
            case 'space':
                // At the doc level, tabs at line start may be parsed
                // as leading white space rather than indentation.
                // In a flow collection, only the parser handles indent.
                if (!flow &&
                    (indicator !== 'doc-start' || next?.type !== 'flow-collection') &&
                    token.source.includes('\t')) {
                    tab = token;
                }
                hasSpace = true;
                break;
            case 'comment': {
                if (!hasSpace)
                    onError(token, 'MISSING_CHAR', 'Comments must be separated from other tokens by white space characters');
                const cb = token.source.substring(1) || ' ';
                if (!comment)
                    comment = cb;
                else
                    comment += commentSep + cb;
                commentSep = '';
                atNewline = false;
                break;
            }
            case 'newline':
                if (atNewline) {
                    if (comment)
                        comment += token.source;
                    else if (!found || indicator !== 'seq-item-ind')
                        spaceBefore = true;
                }
                else
                    commentSep += token.source;
                atNewline = true;
                hasNewline = true;
                if (anchor || tag)
                    newlineAfterProp = token;
                hasSpace = true;
                break;
            case 'anchor':
                if (anchor)
                    onError(token, 'MULTIPLE_ANCHORS', 'A node can have at most one anchor');
                if (token.source.endsWith(':'))
                    onError(token.offset + token.source.length - 1, 'BAD_ALIAS', 'Anchor ending in : is ambiguous', true);
                anchor = token;
                start ?? (start = token.offset);
                atNewline = false;
                hasSpace = false;
                reqSpace = true;
                break;
            case 'tag': {
                if (tag)
                    onError(token, 'MULTIPLE_TAGS', 'A node can have at most one tag');
                tag = token;
                start ?? (start = token.offset);
                atNewline = false;
                hasSpace = false;
                reqSpace = true;
                break;
            }
            case indicator:
                // Could here handle preceding comments differently
                if (anchor || tag)
                    onError(token, 'BAD_PROP_ORDER', `Anchors and tags must be after the ${token.source} indicator`);
                if (found)
                    onError(token, 'UNEXPECTED_TOKEN', `Unexpected ${token.source} in ${flow ?? 'collection'}`);
                found = token;
                atNewline =
                    indicator === 'seq-item-ind' || indicator === 'explicit-key-ind';
                hasSpace = false;
                break;
            case 'comma':
                if (flow) {
                    if (comma)
                        onError(token, 'UNEXPECTED_TOKEN', `Unexpected , in ${flow}`);
                    comma = token;
                    atNewline = false;
                    hasSpace = false;
                    break;
                }
            // else fallthrough
            default:
                onError(token, 'UNEXPECTED_TOKEN', `Unexpected ${token.type} token`);
                atNewline = false;
                hasSpace = false;
        }
    }
    const last = tokens[tokens.length - 1];
    const end = last ? last.offset + last.source.length : offset;
    if (reqSpace &&
        next &&
        next.type !== 'space' &&
        next.type !== 'newline' &&
        next.type !== 'comma' &&
        (next.type !== 'scalar' || next.source !== '')) {
        onError(next.offset, 'MISSING_CHAR', 'Tags and anchors must be separated from the next token by white space');
    }
    if (tab &&
        ((atNewline && tab.indent <= parentIndent) ||
            next?.type === 'block-map' ||
            next?.type === 'block-seq'))
        onError(tab, 'TAB_AS_INDENT', 'Tabs are not allowed as indentation');
    return {
        comma,
        found,
        spaceBefore,
        comment,
        hasNewline,
        anchor,
        tag,
        newlineAfterProp,
        end,
        start: start ?? end
    };
}

exports.resolveProps = resolveProps;


/***/ }),

/***/ 9499:
/***/ ((__unused_webpack_module, exports) => {



function containsNewline(key) {
    if (!key)
        return null;
    switch (key.type) {
        case 'alias':
        case 'scalar':
        case 'double-quoted-scalar':
        case 'single-quoted-scalar':
            if (key.source.includes('\n'))
                return true;
            if (key.end)
                for (const st of key.end)
                    if (st.type === 'newline')
                        return true;
            return false;
        case 'flow-collection':
            for (const it of key.items) {
                for (const st of it.start)
                    if (st.type === 'newline')
                        return true;
                if (it.sep)
                    for (const st of it.sep)
                        if (st.type === 'newline')
                            return true;
                if (containsNewline(it.key) || containsNewline(it.value))
                    return true;
            }
            return false;
        default:
            return true;
    }
}

exports.containsNewline = containsNewline;


/***/ }),

/***/ 2599:
/***/ ((__unused_webpack_module, exports) => {



function emptyScalarPosition(offset, before, pos) {
    if (before) {
        pos ?? (pos = before.length);
        for (let i = pos - 1; i >= 0; --i) {
            let st = before[i];
            switch (st.type) {
                case 'space':
                case 'comment':
                case 'newline':
                    offset -= st.source.length;
                    continue;
            }
            // Technically, an empty scalar is immediately after the last non-empty
            // node, but it's more useful to place it after any whitespace.
            st = before[++i];
            while (st?.type === 'space') {
                offset += st.source.length;
                st = before[++i];
            }
            break;
        }
    }
    return offset;
}

exports.emptyScalarPosition = emptyScalarPosition;


/***/ }),

/***/ 4051:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var utilContainsNewline = __nccwpck_require__(9499);

function flowIndentCheck(indent, fc, onError) {
    if (fc?.type === 'flow-collection') {
        const end = fc.end[0];
        if (end.indent === indent &&
            (end.source === ']' || end.source === '}') &&
            utilContainsNewline.containsNewline(fc)) {
            const msg = 'Flow end indicator should be more indented than parent';
            onError(end, 'BAD_INDENT', msg, true);
        }
    }
}

exports.flowIndentCheck = flowIndentCheck;


/***/ }),

/***/ 1187:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);

function mapIncludes(ctx, items, search) {
    const { uniqueKeys } = ctx.options;
    if (uniqueKeys === false)
        return false;
    const isEqual = typeof uniqueKeys === 'function'
        ? uniqueKeys
        : (a, b) => a === b || (identity.isScalar(a) && identity.isScalar(b) && a.value === b.value);
    return items.some(pair => isEqual(pair.key, search));
}

exports.mapIncludes = mapIncludes;


/***/ }),

/***/ 3021:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Alias = __nccwpck_require__(4065);
var Collection = __nccwpck_require__(101);
var identity = __nccwpck_require__(1127);
var Pair = __nccwpck_require__(7165);
var toJS = __nccwpck_require__(4043);
var Schema = __nccwpck_require__(5840);
var stringifyDocument = __nccwpck_require__(6829);
var anchors = __nccwpck_require__(1596);
var applyReviver = __nccwpck_require__(3661);
var createNode = __nccwpck_require__(2404);
var directives = __nccwpck_require__(1342);

class Document {
    constructor(value, replacer, options) {
        /** A comment before this Document */
        this.commentBefore = null;
        /** A comment immediately after this Document */
        this.comment = null;
        /** Errors encountered during parsing. */
        this.errors = [];
        /** Warnings encountered during parsing. */
        this.warnings = [];
        Object.defineProperty(this, identity.NODE_TYPE, { value: identity.DOC });
        let _replacer = null;
        if (typeof replacer === 'function' || Array.isArray(replacer)) {
            _replacer = replacer;
        }
        else if (options === undefined && replacer) {
            options = replacer;
            replacer = undefined;
        }
        const opt = Object.assign({
            intAsBigInt: false,
            keepSourceTokens: false,
            logLevel: 'warn',
            prettyErrors: true,
            strict: true,
            stringKeys: false,
            uniqueKeys: true,
            version: '1.2'
        }, options);
        this.options = opt;
        let { version } = opt;
        if (options?._directives) {
            this.directives = options._directives.atDocument();
            if (this.directives.yaml.explicit)
                version = this.directives.yaml.version;
        }
        else
            this.directives = new directives.Directives({ version });
        this.setSchema(version, options);
        // @ts-expect-error We can't really know that this matches Contents.
        this.contents =
            value === undefined ? null : this.createNode(value, _replacer, options);
    }
    /**
     * Create a deep copy of this Document and its contents.
     *
     * Custom Node values that inherit from `Object` still refer to their original instances.
     */
    clone() {
        const copy = Object.create(Document.prototype, {
            [identity.NODE_TYPE]: { value: identity.DOC }
        });
        copy.commentBefore = this.commentBefore;
        copy.comment = this.comment;
        copy.errors = this.errors.slice();
        copy.warnings = this.warnings.slice();
        copy.options = Object.assign({}, this.options);
        if (this.directives)
            copy.directives = this.directives.clone();
        copy.schema = this.schema.clone();
        // @ts-expect-error We can't really know that this matches Contents.
        copy.contents = identity.isNode(this.contents)
            ? this.contents.clone(copy.schema)
            : this.contents;
        if (this.range)
            copy.range = this.range.slice();
        return copy;
    }
    /** Adds a value to the document. */
    add(value) {
        if (assertCollection(this.contents))
            this.contents.add(value);
    }
    /** Adds a value to the document. */
    addIn(path, value) {
        if (assertCollection(this.contents))
            this.contents.addIn(path, value);
    }
    /**
     * Create a new `Alias` node, ensuring that the target `node` has the required anchor.
     *
     * If `node` already has an anchor, `name` is ignored.
     * Otherwise, the `node.anchor` value will be set to `name`,
     * or if an anchor with that name is already present in the document,
     * `name` will be used as a prefix for a new unique anchor.
     * If `name` is undefined, the generated anchor will use 'a' as a prefix.
     */
    createAlias(node, name) {
        if (!node.anchor) {
            const prev = anchors.anchorNames(this);
            node.anchor =
                // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing
                !name || prev.has(name) ? anchors.findNewAnchor(name || 'a', prev) : name;
        }
        return new Alias.Alias(node.anchor);
    }
    createNode(value, replacer, options) {
        let _replacer = undefined;
        if (typeof replacer === 'function') {
            value = replacer.call({ '': value }, '', value);
            _replacer = replacer;
        }
        else if (Array.isArray(replacer)) {
            const keyToStr = (v) => typeof v === 'number' || v instanceof String || v instanceof Number;
            const asStr = replacer.filter(keyToStr).map(String);
            if (asStr.length > 0)
                replacer = replacer.concat(asStr);
            _replacer = replacer;
        }
        else if (options === undefined && replacer) {
            options = replacer;
            replacer = undefined;
        }
        const { aliasDuplicateObjects, anchorPrefix, flow, keepUndefined, onTagObj, tag } = options ?? {};
        const { onAnchor, setAnchors, sourceObjects } = anchors.createNodeAnchors(this, 
        // eslint-disable-next-line @typescript-eslint/prefer-nullish-coalescing
        anchorPrefix || 'a');
        const ctx = {
            aliasDuplicateObjects: aliasDuplicateObjects ?? true,
            keepUndefined: keepUndefined ?? false,
            onAnchor,
            onTagObj,
            replacer: _replacer,
            schema: this.schema,
            sourceObjects
        };
        const node = createNode.createNode(value, tag, ctx);
        if (flow && identity.isCollection(node))
            node.flow = true;
        setAnchors();
        return node;
    }
    /**
     * Convert a key and a value into a `Pair` using the current schema,
     * recursively wrapping all values as `Scalar` or `Collection` nodes.
     */
    createPair(key, value, options = {}) {
        const k = this.createNode(key, null, options);
        const v = this.createNode(value, null, options);
        return new Pair.Pair(k, v);
    }
    /**
     * Removes a value from the document.
     * @returns `true` if the item was found and removed.
     */
    delete(key) {
        return assertCollection(this.contents) ? this.contents.delete(key) : false;
    }
    /**
     * Removes a value from the document.
     * @returns `true` if the item was found and removed.
     */
    deleteIn(path) {
        if (Collection.isEmptyPath(path)) {
            if (this.contents == null)
                return false;
            // @ts-expect-error Presumed impossible if Strict extends false
            this.contents = null;
            return true;
        }
        return assertCollection(this.contents)
            ? this.contents.deleteIn(path)
            : false;
    }
    /**
     * Returns item at `key`, or `undefined` if not found. By default unwraps
     * scalar values from their surrounding node; to disable set `keepScalar` to
     * `true` (collections are always returned intact).
     */
    get(key, keepScalar) {
        return identity.isCollection(this.contents)
            ? this.contents.get(key, keepScalar)
            : undefined;
    }
    /**
     * Returns item at `path`, or `undefined` if not found. By default unwraps
     * scalar values from their surrounding node; to disable set `keepScalar` to
     * `true` (collections are always returned intact).
     */
    getIn(path, keepScalar) {
        if (Collection.isEmptyPath(path))
            return !keepScalar && identity.isScalar(this.contents)
                ? this.contents.value
                : this.contents;
        return identity.isCollection(this.contents)
            ? this.contents.getIn(path, keepScalar)
            : undefined;
    }
    /**
     * Checks if the document includes a value with the key `key`.
     */
    has(key) {
        return identity.isCollection(this.contents) ? this.contents.has(key) : false;
    }
    /**
     * Checks if the document includes a value at `path`.
     */
    hasIn(path) {
        if (Collection.isEmptyPath(path))
            return this.contents !== undefined;
        return identity.isCollection(this.contents) ? this.contents.hasIn(path) : false;
    }
    /**
     * Sets a value in this document. For `!!set`, `value` needs to be a
     * boolean to add/remove the item from the set.
     */
    set(key, value) {
        if (this.contents == null) {
            // @ts-expect-error We can't really know that this matches Contents.
            this.contents = Collection.collectionFromPath(this.schema, [key], value);
        }
        else if (assertCollection(this.contents)) {
            this.contents.set(key, value);
        }
    }
    /**
     * Sets a value in this document. For `!!set`, `value` needs to be a
     * boolean to add/remove the item from the set.
     */
    setIn(path, value) {
        if (Collection.isEmptyPath(path)) {
            // @ts-expect-error We can't really know that this matches Contents.
            this.contents = value;
        }
        else if (this.contents == null) {
            // @ts-expect-error We can't really know that this matches Contents.
            this.contents = Collection.collectionFromPath(this.schema, Array.from(path), value);
        }
        else if (assertCollection(this.contents)) {
            this.contents.setIn(path, value);
        }
    }
    /**
     * Change the YAML version and schema used by the document.
     * A `null` version disables support for directives, explicit tags, anchors, and aliases.
     * It also requires the `schema` option to be given as a `Schema` instance value.
     *
     * Overrides all previously set schema options.
     */
    setSchema(version, options = {}) {
        if (typeof version === 'number')
            version = String(version);
        let opt;
        switch (version) {
            case '1.1':
                if (this.directives)
                    this.directives.yaml.version = '1.1';
                else
                    this.directives = new directives.Directives({ version: '1.1' });
                opt = { resolveKnownTags: false, schema: 'yaml-1.1' };
                break;
            case '1.2':
            case 'next':
                if (this.directives)
                    this.directives.yaml.version = version;
                else
                    this.directives = new directives.Directives({ version });
                opt = { resolveKnownTags: true, schema: 'core' };
                break;
            case null:
                if (this.directives)
                    delete this.directives;
                opt = null;
                break;
            default: {
                const sv = JSON.stringify(version);
                throw new Error(`Expected '1.1', '1.2' or null as first argument, but found: ${sv}`);
            }
        }
        // Not using `instanceof Schema` to allow for duck typing
        if (options.schema instanceof Object)
            this.schema = options.schema;
        else if (opt)
            this.schema = new Schema.Schema(Object.assign(opt, options));
        else
            throw new Error(`With a null YAML version, the { schema: Schema } option is required`);
    }
    // json & jsonArg are only used from toJSON()
    toJS({ json, jsonArg, mapAsMap, maxAliasCount, onAnchor, reviver } = {}) {
        const ctx = {
            anchors: new Map(),
            doc: this,
            keep: !json,
            mapAsMap: mapAsMap === true,
            mapKeyWarned: false,
            maxAliasCount: typeof maxAliasCount === 'number' ? maxAliasCount : 100
        };
        const res = toJS.toJS(this.contents, jsonArg ?? '', ctx);
        if (typeof onAnchor === 'function')
            for (const { count, res } of ctx.anchors.values())
                onAnchor(res, count);
        return typeof reviver === 'function'
            ? applyReviver.applyReviver(reviver, { '': res }, '', res)
            : res;
    }
    /**
     * A JSON representation of the document `contents`.
     *
     * @param jsonArg Used by `JSON.stringify` to indicate the array index or
     *   property name.
     */
    toJSON(jsonArg, onAnchor) {
        return this.toJS({ json: true, jsonArg, mapAsMap: false, onAnchor });
    }
    /** A YAML representation of the document. */
    toString(options = {}) {
        if (this.errors.length > 0)
            throw new Error('Document with errors cannot be stringified');
        if ('indent' in options &&
            (!Number.isInteger(options.indent) || Number(options.indent) <= 0)) {
            const s = JSON.stringify(options.indent);
            throw new Error(`"indent" option must be a positive integer, not ${s}`);
        }
        return stringifyDocument.stringifyDocument(this, options);
    }
}
function assertCollection(contents) {
    if (identity.isCollection(contents))
        return true;
    throw new Error('Expected a YAML collection as document contents');
}

exports.Document = Document;


/***/ }),

/***/ 1596:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var visit = __nccwpck_require__(204);

/**
 * Verify that the input string is a valid anchor.
 *
 * Will throw on errors.
 */
function anchorIsValid(anchor) {
    if (/[\x00-\x19\s,[\]{}]/.test(anchor)) {
        const sa = JSON.stringify(anchor);
        const msg = `Anchor must not contain whitespace or control characters: ${sa}`;
        throw new Error(msg);
    }
    return true;
}
function anchorNames(root) {
    const anchors = new Set();
    visit.visit(root, {
        Value(_key, node) {
            if (node.anchor)
                anchors.add(node.anchor);
        }
    });
    return anchors;
}
/** Find a new anchor name with the given `prefix` and a one-indexed suffix. */
function findNewAnchor(prefix, exclude) {
    for (let i = 1; true; ++i) {
        const name = `${prefix}${i}`;
        if (!exclude.has(name))
            return name;
    }
}
function createNodeAnchors(doc, prefix) {
    const aliasObjects = [];
    const sourceObjects = new Map();
    let prevAnchors = null;
    return {
        onAnchor: (source) => {
            aliasObjects.push(source);
            prevAnchors ?? (prevAnchors = anchorNames(doc));
            const anchor = findNewAnchor(prefix, prevAnchors);
            prevAnchors.add(anchor);
            return anchor;
        },
        /**
         * With circular references, the source node is only resolved after all
         * of its child nodes are. This is why anchors are set only after all of
         * the nodes have been created.
         */
        setAnchors: () => {
            for (const source of aliasObjects) {
                const ref = sourceObjects.get(source);
                if (typeof ref === 'object' &&
                    ref.anchor &&
                    (identity.isScalar(ref.node) || identity.isCollection(ref.node))) {
                    ref.node.anchor = ref.anchor;
                }
                else {
                    const error = new Error('Failed to resolve repeated object (this should not happen)');
                    error.source = source;
                    throw error;
                }
            }
        },
        sourceObjects
    };
}

exports.anchorIsValid = anchorIsValid;
exports.anchorNames = anchorNames;
exports.createNodeAnchors = createNodeAnchors;
exports.findNewAnchor = findNewAnchor;


/***/ }),

/***/ 3661:
/***/ ((__unused_webpack_module, exports) => {



/**
 * Applies the JSON.parse reviver algorithm as defined in the ECMA-262 spec,
 * in section 24.5.1.1 "Runtime Semantics: InternalizeJSONProperty" of the
 * 2021 edition: https://tc39.es/ecma262/#sec-json.parse
 *
 * Includes extensions for handling Map and Set objects.
 */
function applyReviver(reviver, obj, key, val) {
    if (val && typeof val === 'object') {
        if (Array.isArray(val)) {
            for (let i = 0, len = val.length; i < len; ++i) {
                const v0 = val[i];
                const v1 = applyReviver(reviver, val, String(i), v0);
                // eslint-disable-next-line @typescript-eslint/no-array-delete
                if (v1 === undefined)
                    delete val[i];
                else if (v1 !== v0)
                    val[i] = v1;
            }
        }
        else if (val instanceof Map) {
            for (const k of Array.from(val.keys())) {
                const v0 = val.get(k);
                const v1 = applyReviver(reviver, val, k, v0);
                if (v1 === undefined)
                    val.delete(k);
                else if (v1 !== v0)
                    val.set(k, v1);
            }
        }
        else if (val instanceof Set) {
            for (const v0 of Array.from(val)) {
                const v1 = applyReviver(reviver, val, v0, v0);
                if (v1 === undefined)
                    val.delete(v0);
                else if (v1 !== v0) {
                    val.delete(v0);
                    val.add(v1);
                }
            }
        }
        else {
            for (const [k, v0] of Object.entries(val)) {
                const v1 = applyReviver(reviver, val, k, v0);
                if (v1 === undefined)
                    delete val[k];
                else if (v1 !== v0)
                    val[k] = v1;
            }
        }
    }
    return reviver.call(obj, key, val);
}

exports.applyReviver = applyReviver;


/***/ }),

/***/ 2404:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Alias = __nccwpck_require__(4065);
var identity = __nccwpck_require__(1127);
var Scalar = __nccwpck_require__(3301);

const defaultTagPrefix = 'tag:yaml.org,2002:';
function findTagObject(value, tagName, tags) {
    if (tagName) {
        const match = tags.filter(t => t.tag === tagName);
        const tagObj = match.find(t => !t.format) ?? match[0];
        if (!tagObj)
            throw new Error(`Tag ${tagName} not found`);
        return tagObj;
    }
    return tags.find(t => t.identify?.(value) && !t.format);
}
function createNode(value, tagName, ctx) {
    if (identity.isDocument(value))
        value = value.contents;
    if (identity.isNode(value))
        return value;
    if (identity.isPair(value)) {
        const map = ctx.schema[identity.MAP].createNode?.(ctx.schema, null, ctx);
        map.items.push(value);
        return map;
    }
    if (value instanceof String ||
        value instanceof Number ||
        value instanceof Boolean ||
        (typeof BigInt !== 'undefined' && value instanceof BigInt) // not supported everywhere
    ) {
        // https://tc39.es/ecma262/#sec-serializejsonproperty
        value = value.valueOf();
    }
    const { aliasDuplicateObjects, onAnchor, onTagObj, schema, sourceObjects } = ctx;
    // Detect duplicate references to the same object & use Alias nodes for all
    // after first. The `ref` wrapper allows for circular references to resolve.
    let ref = undefined;
    if (aliasDuplicateObjects && value && typeof value === 'object') {
        ref = sourceObjects.get(value);
        if (ref) {
            ref.anchor ?? (ref.anchor = onAnchor(value));
            return new Alias.Alias(ref.anchor);
        }
        else {
            ref = { anchor: null, node: null };
            sourceObjects.set(value, ref);
        }
    }
    if (tagName?.startsWith('!!'))
        tagName = defaultTagPrefix + tagName.slice(2);
    let tagObj = findTagObject(value, tagName, schema.tags);
    if (!tagObj) {
        if (value && typeof value.toJSON === 'function') {
            // eslint-disable-next-line @typescript-eslint/no-unsafe-call
            value = value.toJSON();
        }
        if (!value || typeof value !== 'object') {
            const node = new Scalar.Scalar(value);
            if (ref)
                ref.node = node;
            return node;
        }
        tagObj =
            value instanceof Map
                ? schema[identity.MAP]
                : Symbol.iterator in Object(value)
                    ? schema[identity.SEQ]
                    : schema[identity.MAP];
    }
    if (onTagObj) {
        onTagObj(tagObj);
        delete ctx.onTagObj;
    }
    const node = tagObj?.createNode
        ? tagObj.createNode(ctx.schema, value, ctx)
        : typeof tagObj?.nodeClass?.from === 'function'
            ? tagObj.nodeClass.from(ctx.schema, value, ctx)
            : new Scalar.Scalar(value);
    if (tagName)
        node.tag = tagName;
    else if (!tagObj.default)
        node.tag = tagObj.tag;
    if (ref)
        ref.node = node;
    return node;
}

exports.createNode = createNode;


/***/ }),

/***/ 1342:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var visit = __nccwpck_require__(204);

const escapeChars = {
    '!': '%21',
    ',': '%2C',
    '[': '%5B',
    ']': '%5D',
    '{': '%7B',
    '}': '%7D'
};
const escapeTagName = (tn) => tn.replace(/[!,[\]{}]/g, ch => escapeChars[ch]);
class Directives {
    constructor(yaml, tags) {
        /**
         * The directives-end/doc-start marker `---`. If `null`, a marker may still be
         * included in the document's stringified representation.
         */
        this.docStart = null;
        /** The doc-end marker `...`.  */
        this.docEnd = false;
        this.yaml = Object.assign({}, Directives.defaultYaml, yaml);
        this.tags = Object.assign({}, Directives.defaultTags, tags);
    }
    clone() {
        const copy = new Directives(this.yaml, this.tags);
        copy.docStart = this.docStart;
        return copy;
    }
    /**
     * During parsing, get a Directives instance for the current document and
     * update the stream state according to the current version's spec.
     */
    atDocument() {
        const res = new Directives(this.yaml, this.tags);
        switch (this.yaml.version) {
            case '1.1':
                this.atNextDocument = true;
                break;
            case '1.2':
                this.atNextDocument = false;
                this.yaml = {
                    explicit: Directives.defaultYaml.explicit,
                    version: '1.2'
                };
                this.tags = Object.assign({}, Directives.defaultTags);
                break;
        }
        return res;
    }
    /**
     * @param onError - May be called even if the action was successful
     * @returns `true` on success
     */
    add(line, onError) {
        if (this.atNextDocument) {
            this.yaml = { explicit: Directives.defaultYaml.explicit, version: '1.1' };
            this.tags = Object.assign({}, Directives.defaultTags);
            this.atNextDocument = false;
        }
        const parts = line.trim().split(/[ \t]+/);
        const name = parts.shift();
        switch (name) {
            case '%TAG': {
                if (parts.length !== 2) {
                    onError(0, '%TAG directive should contain exactly two parts');
                    if (parts.length < 2)
                        return false;
                }
                const [handle, prefix] = parts;
                this.tags[handle] = prefix;
                return true;
            }
            case '%YAML': {
                this.yaml.explicit = true;
                if (parts.length !== 1) {
                    onError(0, '%YAML directive should contain exactly one part');
                    return false;
                }
                const [version] = parts;
                if (version === '1.1' || version === '1.2') {
                    this.yaml.version = version;
                    return true;
                }
                else {
                    const isValid = /^\d+\.\d+$/.test(version);
                    onError(6, `Unsupported YAML version ${version}`, isValid);
                    return false;
                }
            }
            default:
                onError(0, `Unknown directive ${name}`, true);
                return false;
        }
    }
    /**
     * Resolves a tag, matching handles to those defined in %TAG directives.
     *
     * @returns Resolved tag, which may also be the non-specific tag `'!'` or a
     *   `'!local'` tag, or `null` if unresolvable.
     */
    tagName(source, onError) {
        if (source === '!')
            return '!'; // non-specific tag
        if (source[0] !== '!') {
            onError(`Not a valid tag: ${source}`);
            return null;
        }
        if (source[1] === '<') {
            const verbatim = source.slice(2, -1);
            if (verbatim === '!' || verbatim === '!!') {
                onError(`Verbatim tags aren't resolved, so ${source} is invalid.`);
                return null;
            }
            if (source[source.length - 1] !== '>')
                onError('Verbatim tags must end with a >');
            return verbatim;
        }
        const [, handle, suffix] = source.match(/^(.*!)([^!]*)$/s);
        if (!suffix)
            onError(`The ${source} tag has no suffix`);
        const prefix = this.tags[handle];
        if (prefix) {
            try {
                return prefix + decodeURIComponent(suffix);
            }
            catch (error) {
                onError(String(error));
                return null;
            }
        }
        if (handle === '!')
            return source; // local tag
        onError(`Could not resolve tag: ${source}`);
        return null;
    }
    /**
     * Given a fully resolved tag, returns its printable string form,
     * taking into account current tag prefixes and defaults.
     */
    tagString(tag) {
        for (const [handle, prefix] of Object.entries(this.tags)) {
            if (tag.startsWith(prefix))
                return handle + escapeTagName(tag.substring(prefix.length));
        }
        return tag[0] === '!' ? tag : `!<${tag}>`;
    }
    toString(doc) {
        const lines = this.yaml.explicit
            ? [`%YAML ${this.yaml.version || '1.2'}`]
            : [];
        const tagEntries = Object.entries(this.tags);
        let tagNames;
        if (doc && tagEntries.length > 0 && identity.isNode(doc.contents)) {
            const tags = {};
            visit.visit(doc.contents, (_key, node) => {
                if (identity.isNode(node) && node.tag)
                    tags[node.tag] = true;
            });
            tagNames = Object.keys(tags);
        }
        else
            tagNames = [];
        for (const [handle, prefix] of tagEntries) {
            if (handle === '!!' && prefix === 'tag:yaml.org,2002:')
                continue;
            if (!doc || tagNames.some(tn => tn.startsWith(prefix)))
                lines.push(`%TAG ${handle} ${prefix}`);
        }
        return lines.join('\n');
    }
}
Directives.defaultYaml = { explicit: false, version: '1.2' };
Directives.defaultTags = { '!!': 'tag:yaml.org,2002:' };

exports.Directives = Directives;


/***/ }),

/***/ 1464:
/***/ ((__unused_webpack_module, exports) => {



class YAMLError extends Error {
    constructor(name, pos, code, message) {
        super();
        this.name = name;
        this.code = code;
        this.message = message;
        this.pos = pos;
    }
}
class YAMLParseError extends YAMLError {
    constructor(pos, code, message) {
        super('YAMLParseError', pos, code, message);
    }
}
class YAMLWarning extends YAMLError {
    constructor(pos, code, message) {
        super('YAMLWarning', pos, code, message);
    }
}
const prettifyError = (src, lc) => (error) => {
    if (error.pos[0] === -1)
        return;
    error.linePos = error.pos.map(pos => lc.linePos(pos));
    const { line, col } = error.linePos[0];
    error.message += ` at line ${line}, column ${col}`;
    let ci = col - 1;
    let lineStr = src
        .substring(lc.lineStarts[line - 1], lc.lineStarts[line])
        .replace(/[\n\r]+$/, '');
    // Trim to max 80 chars, keeping col position near the middle
    if (ci >= 60 && lineStr.length > 80) {
        const trimStart = Math.min(ci - 39, lineStr.length - 79);
        lineStr = '…' + lineStr.substring(trimStart);
        ci -= trimStart - 1;
    }
    if (lineStr.length > 80)
        lineStr = lineStr.substring(0, 79) + '…';
    // Include previous line in context if pointing at line start
    if (line > 1 && /^ *$/.test(lineStr.substring(0, ci))) {
        // Regexp won't match if start is trimmed
        let prev = src.substring(lc.lineStarts[line - 2], lc.lineStarts[line - 1]);
        if (prev.length > 80)
            prev = prev.substring(0, 79) + '…\n';
        lineStr = prev + lineStr;
    }
    if (/[^ ]/.test(lineStr)) {
        let count = 1;
        const end = error.linePos[1];
        if (end?.line === line && end.col > col) {
            count = Math.max(1, Math.min(end.col - col, 80 - ci));
        }
        const pointer = ' '.repeat(ci) + '^'.repeat(count);
        error.message += `:\n\n${lineStr}\n${pointer}\n`;
    }
};

exports.YAMLError = YAMLError;
exports.YAMLParseError = YAMLParseError;
exports.YAMLWarning = YAMLWarning;
exports.prettifyError = prettifyError;


/***/ }),

/***/ 8815:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

var __webpack_unused_export__;


var composer = __nccwpck_require__(9984);
var Document = __nccwpck_require__(3021);
var Schema = __nccwpck_require__(5840);
var errors = __nccwpck_require__(1464);
var Alias = __nccwpck_require__(4065);
var identity = __nccwpck_require__(1127);
var Pair = __nccwpck_require__(7165);
var Scalar = __nccwpck_require__(3301);
var YAMLMap = __nccwpck_require__(4454);
var YAMLSeq = __nccwpck_require__(2223);
var cst = __nccwpck_require__(3461);
var lexer = __nccwpck_require__(361);
var lineCounter = __nccwpck_require__(6628);
var parser = __nccwpck_require__(3456);
var publicApi = __nccwpck_require__(4047);
var visit = __nccwpck_require__(204);



__webpack_unused_export__ = composer.Composer;
__webpack_unused_export__ = Document.Document;
__webpack_unused_export__ = Schema.Schema;
__webpack_unused_export__ = errors.YAMLError;
__webpack_unused_export__ = errors.YAMLParseError;
__webpack_unused_export__ = errors.YAMLWarning;
__webpack_unused_export__ = Alias.Alias;
__webpack_unused_export__ = identity.isAlias;
__webpack_unused_export__ = identity.isCollection;
__webpack_unused_export__ = identity.isDocument;
__webpack_unused_export__ = identity.isMap;
__webpack_unused_export__ = identity.isNode;
__webpack_unused_export__ = identity.isPair;
__webpack_unused_export__ = identity.isScalar;
__webpack_unused_export__ = identity.isSeq;
__webpack_unused_export__ = Pair.Pair;
__webpack_unused_export__ = Scalar.Scalar;
__webpack_unused_export__ = YAMLMap.YAMLMap;
__webpack_unused_export__ = YAMLSeq.YAMLSeq;
__webpack_unused_export__ = cst;
__webpack_unused_export__ = lexer.Lexer;
__webpack_unused_export__ = lineCounter.LineCounter;
__webpack_unused_export__ = parser.Parser;
exports.qg = publicApi.parse;
__webpack_unused_export__ = publicApi.parseAllDocuments;
__webpack_unused_export__ = publicApi.parseDocument;
__webpack_unused_export__ = publicApi.stringify;
__webpack_unused_export__ = visit.visit;
__webpack_unused_export__ = visit.visitAsync;


/***/ }),

/***/ 7249:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var node_process = __nccwpck_require__(932);

function debug(logLevel, ...messages) {
    if (logLevel === 'debug')
        console.log(...messages);
}
function warn(logLevel, warning) {
    if (logLevel === 'debug' || logLevel === 'warn') {
        if (typeof node_process.emitWarning === 'function')
            node_process.emitWarning(warning);
        else
            console.warn(warning);
    }
}

exports.debug = debug;
exports.warn = warn;


/***/ }),

/***/ 4065:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var anchors = __nccwpck_require__(1596);
var visit = __nccwpck_require__(204);
var identity = __nccwpck_require__(1127);
var Node = __nccwpck_require__(6673);
var toJS = __nccwpck_require__(4043);

class Alias extends Node.NodeBase {
    constructor(source) {
        super(identity.ALIAS);
        this.source = source;
        Object.defineProperty(this, 'tag', {
            set() {
                throw new Error('Alias nodes cannot have tags');
            }
        });
    }
    /**
     * Resolve the value of this alias within `doc`, finding the last
     * instance of the `source` anchor before this node.
     */
    resolve(doc, ctx) {
        if (ctx?.maxAliasCount === 0)
            throw new ReferenceError('Alias resolution is disabled');
        let nodes;
        if (ctx?.aliasResolveCache) {
            nodes = ctx.aliasResolveCache;
        }
        else {
            nodes = [];
            visit.visit(doc, {
                Node: (_key, node) => {
                    if (identity.isAlias(node) || identity.hasAnchor(node))
                        nodes.push(node);
                }
            });
            if (ctx)
                ctx.aliasResolveCache = nodes;
        }
        let found = undefined;
        for (const node of nodes) {
            if (node === this)
                break;
            if (node.anchor === this.source)
                found = node;
        }
        if (found && ctx) {
            const { anchors, doc, maxAliasCount } = ctx;
            let data = anchors.get(found);
            if (!data) {
                // Resolve anchors for Node.prototype.toJS()
                toJS.toJS(found, null, ctx);
                data = anchors.get(found);
            }
            /* istanbul ignore if */
            if (data?.res === undefined) {
                const msg = 'This should not happen: Alias anchor was not resolved?';
                throw new ReferenceError(msg);
            }
            if (maxAliasCount >= 0) {
                data.count += 1;
                if (data.aliasCount === 0)
                    data.aliasCount = getAliasCount(doc, found, anchors);
                if (data.count * data.aliasCount > maxAliasCount) {
                    const msg = 'Excessive alias count indicates a resource exhaustion attack';
                    throw new ReferenceError(msg);
                }
            }
        }
        return found;
    }
    toJSON(_arg, ctx) {
        if (!ctx)
            return { source: this.source };
        const source = this.resolve(ctx.doc, ctx);
        if (!source) {
            const msg = `Unresolved alias (the anchor must be set before the alias): ${this.source}`;
            throw new ReferenceError(msg);
        }
        return ctx.anchors.get(source).res;
    }
    toString(ctx, _onComment, _onChompKeep) {
        const src = `*${this.source}`;
        if (ctx) {
            anchors.anchorIsValid(this.source);
            if (ctx.options.verifyAliasOrder && !ctx.anchors.has(this.source)) {
                const msg = `Unresolved alias (the anchor must be set before the alias): ${this.source}`;
                throw new Error(msg);
            }
            if (ctx.implicitKey)
                return `${src} `;
        }
        return src;
    }
}
function getAliasCount(doc, node, anchors) {
    if (identity.isAlias(node)) {
        const source = node.resolve(doc);
        const anchor = anchors && source && anchors.get(source);
        return anchor ? anchor.count * anchor.aliasCount : 0;
    }
    else if (identity.isCollection(node)) {
        let count = 0;
        for (const item of node.items) {
            const c = getAliasCount(doc, item, anchors);
            if (c > count)
                count = c;
        }
        return count;
    }
    else if (identity.isPair(node)) {
        const kc = getAliasCount(doc, node.key, anchors);
        const vc = getAliasCount(doc, node.value, anchors);
        return Math.max(kc, vc);
    }
    return 1;
}

exports.Alias = Alias;


/***/ }),

/***/ 101:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var createNode = __nccwpck_require__(2404);
var identity = __nccwpck_require__(1127);
var Node = __nccwpck_require__(6673);

function collectionFromPath(schema, path, value) {
    let v = value;
    for (let i = path.length - 1; i >= 0; --i) {
        const k = path[i];
        if (typeof k === 'number' && Number.isInteger(k) && k >= 0) {
            const a = [];
            a[k] = v;
            v = a;
        }
        else {
            v = new Map([[k, v]]);
        }
    }
    return createNode.createNode(v, undefined, {
        aliasDuplicateObjects: false,
        keepUndefined: false,
        onAnchor: () => {
            throw new Error('This should not happen, please report a bug.');
        },
        schema,
        sourceObjects: new Map()
    });
}
// Type guard is intentionally a little wrong so as to be more useful,
// as it does not cover untypable empty non-string iterables (e.g. []).
const isEmptyPath = (path) => path == null ||
    (typeof path === 'object' && !!path[Symbol.iterator]().next().done);
class Collection extends Node.NodeBase {
    constructor(type, schema) {
        super(type);
        Object.defineProperty(this, 'schema', {
            value: schema,
            configurable: true,
            enumerable: false,
            writable: true
        });
    }
    /**
     * Create a copy of this collection.
     *
     * @param schema - If defined, overwrites the original's schema
     */
    clone(schema) {
        const copy = Object.create(Object.getPrototypeOf(this), Object.getOwnPropertyDescriptors(this));
        if (schema)
            copy.schema = schema;
        copy.items = copy.items.map(it => identity.isNode(it) || identity.isPair(it) ? it.clone(schema) : it);
        if (this.range)
            copy.range = this.range.slice();
        return copy;
    }
    /**
     * Adds a value to the collection. For `!!map` and `!!omap` the value must
     * be a Pair instance or a `{ key, value }` object, which may not have a key
     * that already exists in the map.
     */
    addIn(path, value) {
        if (isEmptyPath(path))
            this.add(value);
        else {
            const [key, ...rest] = path;
            const node = this.get(key, true);
            if (identity.isCollection(node))
                node.addIn(rest, value);
            else if (node === undefined && this.schema)
                this.set(key, collectionFromPath(this.schema, rest, value));
            else
                throw new Error(`Expected YAML collection at ${key}. Remaining path: ${rest}`);
        }
    }
    /**
     * Removes a value from the collection.
     * @returns `true` if the item was found and removed.
     */
    deleteIn(path) {
        const [key, ...rest] = path;
        if (rest.length === 0)
            return this.delete(key);
        const node = this.get(key, true);
        if (identity.isCollection(node))
            return node.deleteIn(rest);
        else
            throw new Error(`Expected YAML collection at ${key}. Remaining path: ${rest}`);
    }
    /**
     * Returns item at `key`, or `undefined` if not found. By default unwraps
     * scalar values from their surrounding node; to disable set `keepScalar` to
     * `true` (collections are always returned intact).
     */
    getIn(path, keepScalar) {
        const [key, ...rest] = path;
        const node = this.get(key, true);
        if (rest.length === 0)
            return !keepScalar && identity.isScalar(node) ? node.value : node;
        else
            return identity.isCollection(node) ? node.getIn(rest, keepScalar) : undefined;
    }
    hasAllNullValues(allowScalar) {
        return this.items.every(node => {
            if (!identity.isPair(node))
                return false;
            const n = node.value;
            return (n == null ||
                (allowScalar &&
                    identity.isScalar(n) &&
                    n.value == null &&
                    !n.commentBefore &&
                    !n.comment &&
                    !n.tag));
        });
    }
    /**
     * Checks if the collection includes a value with the key `key`.
     */
    hasIn(path) {
        const [key, ...rest] = path;
        if (rest.length === 0)
            return this.has(key);
        const node = this.get(key, true);
        return identity.isCollection(node) ? node.hasIn(rest) : false;
    }
    /**
     * Sets a value in this collection. For `!!set`, `value` needs to be a
     * boolean to add/remove the item from the set.
     */
    setIn(path, value) {
        const [key, ...rest] = path;
        if (rest.length === 0) {
            this.set(key, value);
        }
        else {
            const node = this.get(key, true);
            if (identity.isCollection(node))
                node.setIn(rest, value);
            else if (node === undefined && this.schema)
                this.set(key, collectionFromPath(this.schema, rest, value));
            else
                throw new Error(`Expected YAML collection at ${key}. Remaining path: ${rest}`);
        }
    }
}

exports.Collection = Collection;
exports.collectionFromPath = collectionFromPath;
exports.isEmptyPath = isEmptyPath;


/***/ }),

/***/ 6673:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var applyReviver = __nccwpck_require__(3661);
var identity = __nccwpck_require__(1127);
var toJS = __nccwpck_require__(4043);

class NodeBase {
    constructor(type) {
        Object.defineProperty(this, identity.NODE_TYPE, { value: type });
    }
    /** Create a copy of this node.  */
    clone() {
        const copy = Object.create(Object.getPrototypeOf(this), Object.getOwnPropertyDescriptors(this));
        if (this.range)
            copy.range = this.range.slice();
        return copy;
    }
    /** A plain JavaScript representation of this node. */
    toJS(doc, { mapAsMap, maxAliasCount, onAnchor, reviver } = {}) {
        if (!identity.isDocument(doc))
            throw new TypeError('A document argument is required');
        const ctx = {
            anchors: new Map(),
            doc,
            keep: true,
            mapAsMap: mapAsMap === true,
            mapKeyWarned: false,
            maxAliasCount: typeof maxAliasCount === 'number' ? maxAliasCount : 100
        };
        const res = toJS.toJS(this, '', ctx);
        if (typeof onAnchor === 'function')
            for (const { count, res } of ctx.anchors.values())
                onAnchor(res, count);
        return typeof reviver === 'function'
            ? applyReviver.applyReviver(reviver, { '': res }, '', res)
            : res;
    }
}

exports.NodeBase = NodeBase;


/***/ }),

/***/ 7165:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var createNode = __nccwpck_require__(2404);
var stringifyPair = __nccwpck_require__(9748);
var addPairToJSMap = __nccwpck_require__(7104);
var identity = __nccwpck_require__(1127);

function createPair(key, value, ctx) {
    const k = createNode.createNode(key, undefined, ctx);
    const v = createNode.createNode(value, undefined, ctx);
    return new Pair(k, v);
}
class Pair {
    constructor(key, value = null) {
        Object.defineProperty(this, identity.NODE_TYPE, { value: identity.PAIR });
        this.key = key;
        this.value = value;
    }
    clone(schema) {
        let { key, value } = this;
        if (identity.isNode(key))
            key = key.clone(schema);
        if (identity.isNode(value))
            value = value.clone(schema);
        return new Pair(key, value);
    }
    toJSON(_, ctx) {
        const pair = ctx?.mapAsMap ? new Map() : {};
        return addPairToJSMap.addPairToJSMap(ctx, pair, this);
    }
    toString(ctx, onComment, onChompKeep) {
        return ctx?.doc
            ? stringifyPair.stringifyPair(this, ctx, onComment, onChompKeep)
            : JSON.stringify(this);
    }
}

exports.Pair = Pair;
exports.createPair = createPair;


/***/ }),

/***/ 3301:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var Node = __nccwpck_require__(6673);
var toJS = __nccwpck_require__(4043);

const isScalarValue = (value) => !value || (typeof value !== 'function' && typeof value !== 'object');
class Scalar extends Node.NodeBase {
    constructor(value) {
        super(identity.SCALAR);
        this.value = value;
    }
    toJSON(arg, ctx) {
        return ctx?.keep ? this.value : toJS.toJS(this.value, arg, ctx);
    }
    toString() {
        return String(this.value);
    }
}
Scalar.BLOCK_FOLDED = 'BLOCK_FOLDED';
Scalar.BLOCK_LITERAL = 'BLOCK_LITERAL';
Scalar.PLAIN = 'PLAIN';
Scalar.QUOTE_DOUBLE = 'QUOTE_DOUBLE';
Scalar.QUOTE_SINGLE = 'QUOTE_SINGLE';

exports.Scalar = Scalar;
exports.isScalarValue = isScalarValue;


/***/ }),

/***/ 4454:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var stringifyCollection = __nccwpck_require__(1212);
var addPairToJSMap = __nccwpck_require__(7104);
var Collection = __nccwpck_require__(101);
var identity = __nccwpck_require__(1127);
var Pair = __nccwpck_require__(7165);
var Scalar = __nccwpck_require__(3301);

function findPair(items, key) {
    const k = identity.isScalar(key) ? key.value : key;
    for (const it of items) {
        if (identity.isPair(it)) {
            if (it.key === key || it.key === k)
                return it;
            if (identity.isScalar(it.key) && it.key.value === k)
                return it;
        }
    }
    return undefined;
}
class YAMLMap extends Collection.Collection {
    static get tagName() {
        return 'tag:yaml.org,2002:map';
    }
    constructor(schema) {
        super(identity.MAP, schema);
        this.items = [];
    }
    /**
     * A generic collection parsing method that can be extended
     * to other node classes that inherit from YAMLMap
     */
    static from(schema, obj, ctx) {
        const { keepUndefined, replacer } = ctx;
        const map = new this(schema);
        const add = (key, value) => {
            if (typeof replacer === 'function')
                value = replacer.call(obj, key, value);
            else if (Array.isArray(replacer) && !replacer.includes(key))
                return;
            if (value !== undefined || keepUndefined)
                map.items.push(Pair.createPair(key, value, ctx));
        };
        if (obj instanceof Map) {
            for (const [key, value] of obj)
                add(key, value);
        }
        else if (obj && typeof obj === 'object') {
            for (const key of Object.keys(obj))
                add(key, obj[key]);
        }
        if (typeof schema.sortMapEntries === 'function') {
            map.items.sort(schema.sortMapEntries);
        }
        return map;
    }
    /**
     * Adds a value to the collection.
     *
     * @param overwrite - If not set `true`, using a key that is already in the
     *   collection will throw. Otherwise, overwrites the previous value.
     */
    add(pair, overwrite) {
        let _pair;
        if (identity.isPair(pair))
            _pair = pair;
        else if (!pair || typeof pair !== 'object' || !('key' in pair)) {
            // In TypeScript, this never happens.
            _pair = new Pair.Pair(pair, pair?.value);
        }
        else
            _pair = new Pair.Pair(pair.key, pair.value);
        const prev = findPair(this.items, _pair.key);
        const sortEntries = this.schema?.sortMapEntries;
        if (prev) {
            if (!overwrite)
                throw new Error(`Key ${_pair.key} already set`);
            // For scalars, keep the old node & its comments and anchors
            if (identity.isScalar(prev.value) && Scalar.isScalarValue(_pair.value))
                prev.value.value = _pair.value;
            else
                prev.value = _pair.value;
        }
        else if (sortEntries) {
            const i = this.items.findIndex(item => sortEntries(_pair, item) < 0);
            if (i === -1)
                this.items.push(_pair);
            else
                this.items.splice(i, 0, _pair);
        }
        else {
            this.items.push(_pair);
        }
    }
    delete(key) {
        const it = findPair(this.items, key);
        if (!it)
            return false;
        const del = this.items.splice(this.items.indexOf(it), 1);
        return del.length > 0;
    }
    get(key, keepScalar) {
        const it = findPair(this.items, key);
        const node = it?.value;
        return (!keepScalar && identity.isScalar(node) ? node.value : node) ?? undefined;
    }
    has(key) {
        return !!findPair(this.items, key);
    }
    set(key, value) {
        this.add(new Pair.Pair(key, value), true);
    }
    /**
     * @param ctx - Conversion context, originally set in Document#toJS()
     * @param {Class} Type - If set, forces the returned collection type
     * @returns Instance of Type, Map, or Object
     */
    toJSON(_, ctx, Type) {
        const map = Type ? new Type() : ctx?.mapAsMap ? new Map() : {};
        if (ctx?.onCreate)
            ctx.onCreate(map);
        for (const item of this.items)
            addPairToJSMap.addPairToJSMap(ctx, map, item);
        return map;
    }
    toString(ctx, onComment, onChompKeep) {
        if (!ctx)
            return JSON.stringify(this);
        for (const item of this.items) {
            if (!identity.isPair(item))
                throw new Error(`Map items must all be pairs; found ${JSON.stringify(item)} instead`);
        }
        if (!ctx.allNullValues && this.hasAllNullValues(false))
            ctx = Object.assign({}, ctx, { allNullValues: true });
        return stringifyCollection.stringifyCollection(this, ctx, {
            blockItemPrefix: '',
            flowChars: { start: '{', end: '}' },
            itemIndent: ctx.indent || '',
            onChompKeep,
            onComment
        });
    }
}

exports.YAMLMap = YAMLMap;
exports.findPair = findPair;


/***/ }),

/***/ 2223:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var createNode = __nccwpck_require__(2404);
var stringifyCollection = __nccwpck_require__(1212);
var Collection = __nccwpck_require__(101);
var identity = __nccwpck_require__(1127);
var Scalar = __nccwpck_require__(3301);
var toJS = __nccwpck_require__(4043);

class YAMLSeq extends Collection.Collection {
    static get tagName() {
        return 'tag:yaml.org,2002:seq';
    }
    constructor(schema) {
        super(identity.SEQ, schema);
        this.items = [];
    }
    add(value) {
        this.items.push(value);
    }
    /**
     * Removes a value from the collection.
     *
     * `key` must contain a representation of an integer for this to succeed.
     * It may be wrapped in a `Scalar`.
     *
     * @returns `true` if the item was found and removed.
     */
    delete(key) {
        const idx = asItemIndex(key);
        if (typeof idx !== 'number')
            return false;
        const del = this.items.splice(idx, 1);
        return del.length > 0;
    }
    get(key, keepScalar) {
        const idx = asItemIndex(key);
        if (typeof idx !== 'number')
            return undefined;
        const it = this.items[idx];
        return !keepScalar && identity.isScalar(it) ? it.value : it;
    }
    /**
     * Checks if the collection includes a value with the key `key`.
     *
     * `key` must contain a representation of an integer for this to succeed.
     * It may be wrapped in a `Scalar`.
     */
    has(key) {
        const idx = asItemIndex(key);
        return typeof idx === 'number' && idx < this.items.length;
    }
    /**
     * Sets a value in this collection. For `!!set`, `value` needs to be a
     * boolean to add/remove the item from the set.
     *
     * If `key` does not contain a representation of an integer, this will throw.
     * It may be wrapped in a `Scalar`.
     */
    set(key, value) {
        const idx = asItemIndex(key);
        if (typeof idx !== 'number')
            throw new Error(`Expected a valid index, not ${key}.`);
        const prev = this.items[idx];
        if (identity.isScalar(prev) && Scalar.isScalarValue(value))
            prev.value = value;
        else
            this.items[idx] = value;
    }
    toJSON(_, ctx) {
        const seq = [];
        if (ctx?.onCreate)
            ctx.onCreate(seq);
        let i = 0;
        for (const item of this.items)
            seq.push(toJS.toJS(item, String(i++), ctx));
        return seq;
    }
    toString(ctx, onComment, onChompKeep) {
        if (!ctx)
            return JSON.stringify(this);
        return stringifyCollection.stringifyCollection(this, ctx, {
            blockItemPrefix: '- ',
            flowChars: { start: '[', end: ']' },
            itemIndent: (ctx.indent || '') + '  ',
            onChompKeep,
            onComment
        });
    }
    static from(schema, obj, ctx) {
        const { replacer } = ctx;
        const seq = new this(schema);
        if (obj && Symbol.iterator in Object(obj)) {
            let i = 0;
            for (let it of obj) {
                if (typeof replacer === 'function') {
                    const key = obj instanceof Set ? it : String(i++);
                    it = replacer.call(obj, key, it);
                }
                seq.items.push(createNode.createNode(it, undefined, ctx));
            }
        }
        return seq;
    }
}
function asItemIndex(key) {
    let idx = identity.isScalar(key) ? key.value : key;
    if (idx && typeof idx === 'string')
        idx = Number(idx);
    return typeof idx === 'number' && Number.isInteger(idx) && idx >= 0
        ? idx
        : null;
}

exports.YAMLSeq = YAMLSeq;


/***/ }),

/***/ 7104:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var log = __nccwpck_require__(7249);
var merge = __nccwpck_require__(452);
var stringify = __nccwpck_require__(2148);
var identity = __nccwpck_require__(1127);
var toJS = __nccwpck_require__(4043);

function addPairToJSMap(ctx, map, { key, value }) {
    if (identity.isNode(key) && key.addToJSMap)
        key.addToJSMap(ctx, map, value);
    // TODO: Should drop this special case for bare << handling
    else if (merge.isMergeKey(ctx, key))
        merge.addMergeToJSMap(ctx, map, value);
    else {
        const jsKey = toJS.toJS(key, '', ctx);
        if (map instanceof Map) {
            map.set(jsKey, toJS.toJS(value, jsKey, ctx));
        }
        else if (map instanceof Set) {
            map.add(jsKey);
        }
        else {
            const stringKey = stringifyKey(key, jsKey, ctx);
            const jsValue = toJS.toJS(value, stringKey, ctx);
            if (stringKey in map)
                Object.defineProperty(map, stringKey, {
                    value: jsValue,
                    writable: true,
                    enumerable: true,
                    configurable: true
                });
            else
                map[stringKey] = jsValue;
        }
    }
    return map;
}
function stringifyKey(key, jsKey, ctx) {
    if (jsKey === null)
        return '';
    // eslint-disable-next-line @typescript-eslint/no-base-to-string
    if (typeof jsKey !== 'object')
        return String(jsKey);
    if (identity.isNode(key) && ctx?.doc) {
        const strCtx = stringify.createStringifyContext(ctx.doc, {});
        strCtx.anchors = new Set();
        for (const node of ctx.anchors.keys())
            strCtx.anchors.add(node.anchor);
        strCtx.inFlow = true;
        strCtx.inStringifyKey = true;
        const strKey = key.toString(strCtx);
        if (!ctx.mapKeyWarned) {
            let jsonStr = JSON.stringify(strKey);
            if (jsonStr.length > 40)
                jsonStr = jsonStr.substring(0, 36) + '..."';
            log.warn(ctx.doc.options.logLevel, `Keys with collection values will be stringified due to JS Object restrictions: ${jsonStr}. Set mapAsMap: true to use object keys.`);
            ctx.mapKeyWarned = true;
        }
        return strKey;
    }
    return JSON.stringify(jsKey);
}

exports.addPairToJSMap = addPairToJSMap;


/***/ }),

/***/ 1127:
/***/ ((__unused_webpack_module, exports) => {



const ALIAS = Symbol.for('yaml.alias');
const DOC = Symbol.for('yaml.document');
const MAP = Symbol.for('yaml.map');
const PAIR = Symbol.for('yaml.pair');
const SCALAR = Symbol.for('yaml.scalar');
const SEQ = Symbol.for('yaml.seq');
const NODE_TYPE = Symbol.for('yaml.node.type');
const isAlias = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === ALIAS;
const isDocument = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === DOC;
const isMap = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === MAP;
const isPair = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === PAIR;
const isScalar = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === SCALAR;
const isSeq = (node) => !!node && typeof node === 'object' && node[NODE_TYPE] === SEQ;
function isCollection(node) {
    if (node && typeof node === 'object')
        switch (node[NODE_TYPE]) {
            case MAP:
            case SEQ:
                return true;
        }
    return false;
}
function isNode(node) {
    if (node && typeof node === 'object')
        switch (node[NODE_TYPE]) {
            case ALIAS:
            case MAP:
            case SCALAR:
            case SEQ:
                return true;
        }
    return false;
}
const hasAnchor = (node) => (isScalar(node) || isCollection(node)) && !!node.anchor;

exports.ALIAS = ALIAS;
exports.DOC = DOC;
exports.MAP = MAP;
exports.NODE_TYPE = NODE_TYPE;
exports.PAIR = PAIR;
exports.SCALAR = SCALAR;
exports.SEQ = SEQ;
exports.hasAnchor = hasAnchor;
exports.isAlias = isAlias;
exports.isCollection = isCollection;
exports.isDocument = isDocument;
exports.isMap = isMap;
exports.isNode = isNode;
exports.isPair = isPair;
exports.isScalar = isScalar;
exports.isSeq = isSeq;


/***/ }),

/***/ 4043:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);

/**
 * Recursively convert any node or its contents to native JavaScript
 *
 * @param value - The input value
 * @param arg - If `value` defines a `toJSON()` method, use this
 *   as its first argument
 * @param ctx - Conversion context, originally set in Document#toJS(). If
 *   `{ keep: true }` is not set, output should be suitable for JSON
 *   stringification.
 */
function toJS(value, arg, ctx) {
    // eslint-disable-next-line @typescript-eslint/no-unsafe-return
    if (Array.isArray(value))
        return value.map((v, i) => toJS(v, String(i), ctx));
    if (value && typeof value.toJSON === 'function') {
        // eslint-disable-next-line @typescript-eslint/no-unsafe-call
        if (!ctx || !identity.hasAnchor(value))
            return value.toJSON(arg, ctx);
        const data = { aliasCount: 0, count: 1, res: undefined };
        ctx.anchors.set(value, data);
        ctx.onCreate = res => {
            data.res = res;
            delete ctx.onCreate;
        };
        const res = value.toJSON(arg, ctx);
        if (ctx.onCreate)
            ctx.onCreate(res);
        return res;
    }
    if (typeof value === 'bigint' && !ctx?.keep)
        return Number(value);
    return value;
}

exports.toJS = toJS;


/***/ }),

/***/ 110:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var resolveBlockScalar = __nccwpck_require__(8913);
var resolveFlowScalar = __nccwpck_require__(6842);
var errors = __nccwpck_require__(1464);
var stringifyString = __nccwpck_require__(3069);

function resolveAsScalar(token, strict = true, onError) {
    if (token) {
        const _onError = (pos, code, message) => {
            const offset = typeof pos === 'number' ? pos : Array.isArray(pos) ? pos[0] : pos.offset;
            if (onError)
                onError(offset, code, message);
            else
                throw new errors.YAMLParseError([offset, offset + 1], code, message);
        };
        switch (token.type) {
            case 'scalar':
            case 'single-quoted-scalar':
            case 'double-quoted-scalar':
                return resolveFlowScalar.resolveFlowScalar(token, strict, _onError);
            case 'block-scalar':
                return resolveBlockScalar.resolveBlockScalar({ options: { strict } }, token, _onError);
        }
    }
    return null;
}
/**
 * Create a new scalar token with `value`
 *
 * Values that represent an actual string but may be parsed as a different type should use a `type` other than `'PLAIN'`,
 * as this function does not support any schema operations and won't check for such conflicts.
 *
 * @param value The string representation of the value, which will have its content properly indented.
 * @param context.end Comments and whitespace after the end of the value, or after the block scalar header. If undefined, a newline will be added.
 * @param context.implicitKey Being within an implicit key may affect the resolved type of the token's value.
 * @param context.indent The indent level of the token.
 * @param context.inFlow Is this scalar within a flow collection? This may affect the resolved type of the token's value.
 * @param context.offset The offset position of the token.
 * @param context.type The preferred type of the scalar token. If undefined, the previous type of the `token` will be used, defaulting to `'PLAIN'`.
 */
function createScalarToken(value, context) {
    const { implicitKey = false, indent, inFlow = false, offset = -1, type = 'PLAIN' } = context;
    const source = stringifyString.stringifyString({ type, value }, {
        implicitKey,
        indent: indent > 0 ? ' '.repeat(indent) : '',
        inFlow,
        options: { blockQuote: true, lineWidth: -1 }
    });
    const end = context.end ?? [
        { type: 'newline', offset: -1, indent, source: '\n' }
    ];
    switch (source[0]) {
        case '|':
        case '>': {
            const he = source.indexOf('\n');
            const head = source.substring(0, he);
            const body = source.substring(he + 1) + '\n';
            const props = [
                { type: 'block-scalar-header', offset, indent, source: head }
            ];
            if (!addEndtoBlockProps(props, end))
                props.push({ type: 'newline', offset: -1, indent, source: '\n' });
            return { type: 'block-scalar', offset, indent, props, source: body };
        }
        case '"':
            return { type: 'double-quoted-scalar', offset, indent, source, end };
        case "'":
            return { type: 'single-quoted-scalar', offset, indent, source, end };
        default:
            return { type: 'scalar', offset, indent, source, end };
    }
}
/**
 * Set the value of `token` to the given string `value`, overwriting any previous contents and type that it may have.
 *
 * Best efforts are made to retain any comments previously associated with the `token`,
 * though all contents within a collection's `items` will be overwritten.
 *
 * Values that represent an actual string but may be parsed as a different type should use a `type` other than `'PLAIN'`,
 * as this function does not support any schema operations and won't check for such conflicts.
 *
 * @param token Any token. If it does not include an `indent` value, the value will be stringified as if it were an implicit key.
 * @param value The string representation of the value, which will have its content properly indented.
 * @param context.afterKey In most cases, values after a key should have an additional level of indentation.
 * @param context.implicitKey Being within an implicit key may affect the resolved type of the token's value.
 * @param context.inFlow Being within a flow collection may affect the resolved type of the token's value.
 * @param context.type The preferred type of the scalar token. If undefined, the previous type of the `token` will be used, defaulting to `'PLAIN'`.
 */
function setScalarValue(token, value, context = {}) {
    let { afterKey = false, implicitKey = false, inFlow = false, type } = context;
    let indent = 'indent' in token ? token.indent : null;
    if (afterKey && typeof indent === 'number')
        indent += 2;
    if (!type)
        switch (token.type) {
            case 'single-quoted-scalar':
                type = 'QUOTE_SINGLE';
                break;
            case 'double-quoted-scalar':
                type = 'QUOTE_DOUBLE';
                break;
            case 'block-scalar': {
                const header = token.props[0];
                if (header.type !== 'block-scalar-header')
                    throw new Error('Invalid block scalar header');
                type = header.source[0] === '>' ? 'BLOCK_FOLDED' : 'BLOCK_LITERAL';
                break;
            }
            default:
                type = 'PLAIN';
        }
    const source = stringifyString.stringifyString({ type, value }, {
        implicitKey: implicitKey || indent === null,
        indent: indent !== null && indent > 0 ? ' '.repeat(indent) : '',
        inFlow,
        options: { blockQuote: true, lineWidth: -1 }
    });
    switch (source[0]) {
        case '|':
        case '>':
            setBlockScalarValue(token, source);
            break;
        case '"':
            setFlowScalarValue(token, source, 'double-quoted-scalar');
            break;
        case "'":
            setFlowScalarValue(token, source, 'single-quoted-scalar');
            break;
        default:
            setFlowScalarValue(token, source, 'scalar');
    }
}
function setBlockScalarValue(token, source) {
    const he = source.indexOf('\n');
    const head = source.substring(0, he);
    const body = source.substring(he + 1) + '\n';
    if (token.type === 'block-scalar') {
        const header = token.props[0];
        if (header.type !== 'block-scalar-header')
            throw new Error('Invalid block scalar header');
        header.source = head;
        token.source = body;
    }
    else {
        const { offset } = token;
        const indent = 'indent' in token ? token.indent : -1;
        const props = [
            { type: 'block-scalar-header', offset, indent, source: head }
        ];
        if (!addEndtoBlockProps(props, 'end' in token ? token.end : undefined))
            props.push({ type: 'newline', offset: -1, indent, source: '\n' });
        for (const key of Object.keys(token))
            if (key !== 'type' && key !== 'offset')
                delete token[key];
        Object.assign(token, { type: 'block-scalar', indent, props, source: body });
    }
}
/** @returns `true` if last token is a newline */
function addEndtoBlockProps(props, end) {
    if (end)
        for (const st of end)
            switch (st.type) {
                case 'space':
                case 'comment':
                    props.push(st);
                    break;
                case 'newline':
                    props.push(st);
                    return true;
            }
    return false;
}
function setFlowScalarValue(token, source, type) {
    switch (token.type) {
        case 'scalar':
        case 'double-quoted-scalar':
        case 'single-quoted-scalar':
            token.type = type;
            token.source = source;
            break;
        case 'block-scalar': {
            const end = token.props.slice(1);
            let oa = source.length;
            if (token.props[0].type === 'block-scalar-header')
                oa -= token.props[0].source.length;
            for (const tok of end)
                tok.offset += oa;
            delete token.props;
            Object.assign(token, { type, source, end });
            break;
        }
        case 'block-map':
        case 'block-seq': {
            const offset = token.offset + source.length;
            const nl = { type: 'newline', offset, indent: token.indent, source: '\n' };
            delete token.items;
            Object.assign(token, { type, source, end: [nl] });
            break;
        }
        default: {
            const indent = 'indent' in token ? token.indent : -1;
            const end = 'end' in token && Array.isArray(token.end)
                ? token.end.filter(st => st.type === 'space' ||
                    st.type === 'comment' ||
                    st.type === 'newline')
                : [];
            for (const key of Object.keys(token))
                if (key !== 'type' && key !== 'offset')
                    delete token[key];
            Object.assign(token, { type, indent, source, end });
        }
    }
}

exports.createScalarToken = createScalarToken;
exports.resolveAsScalar = resolveAsScalar;
exports.setScalarValue = setScalarValue;


/***/ }),

/***/ 1733:
/***/ ((__unused_webpack_module, exports) => {



/**
 * Stringify a CST document, token, or collection item
 *
 * Fair warning: This applies no validation whatsoever, and
 * simply concatenates the sources in their logical order.
 */
const stringify = (cst) => 'type' in cst ? stringifyToken(cst) : stringifyItem(cst);
function stringifyToken(token) {
    switch (token.type) {
        case 'block-scalar': {
            let res = '';
            for (const tok of token.props)
                res += stringifyToken(tok);
            return res + token.source;
        }
        case 'block-map':
        case 'block-seq': {
            let res = '';
            for (const item of token.items)
                res += stringifyItem(item);
            return res;
        }
        case 'flow-collection': {
            let res = token.start.source;
            for (const item of token.items)
                res += stringifyItem(item);
            for (const st of token.end)
                res += st.source;
            return res;
        }
        case 'document': {
            let res = stringifyItem(token);
            if (token.end)
                for (const st of token.end)
                    res += st.source;
            return res;
        }
        default: {
            let res = token.source;
            if ('end' in token && token.end)
                for (const st of token.end)
                    res += st.source;
            return res;
        }
    }
}
function stringifyItem({ start, key, sep, value }) {
    let res = '';
    for (const st of start)
        res += st.source;
    if (key)
        res += stringifyToken(key);
    if (sep)
        for (const st of sep)
            res += st.source;
    if (value)
        res += stringifyToken(value);
    return res;
}

exports.stringify = stringify;


/***/ }),

/***/ 7715:
/***/ ((__unused_webpack_module, exports) => {



const BREAK = Symbol('break visit');
const SKIP = Symbol('skip children');
const REMOVE = Symbol('remove item');
/**
 * Apply a visitor to a CST document or item.
 *
 * Walks through the tree (depth-first) starting from the root, calling a
 * `visitor` function with two arguments when entering each item:
 *   - `item`: The current item, which included the following members:
 *     - `start: SourceToken[]` – Source tokens before the key or value,
 *       possibly including its anchor or tag.
 *     - `key?: Token | null` – Set for pair values. May then be `null`, if
 *       the key before the `:` separator is empty.
 *     - `sep?: SourceToken[]` – Source tokens between the key and the value,
 *       which should include the `:` map value indicator if `value` is set.
 *     - `value?: Token` – The value of a sequence item, or of a map pair.
 *   - `path`: The steps from the root to the current node, as an array of
 *     `['key' | 'value', number]` tuples.
 *
 * The return value of the visitor may be used to control the traversal:
 *   - `undefined` (default): Do nothing and continue
 *   - `visit.SKIP`: Do not visit the children of this token, continue with
 *      next sibling
 *   - `visit.BREAK`: Terminate traversal completely
 *   - `visit.REMOVE`: Remove the current item, then continue with the next one
 *   - `number`: Set the index of the next step. This is useful especially if
 *     the index of the current token has changed.
 *   - `function`: Define the next visitor for this item. After the original
 *     visitor is called on item entry, next visitors are called after handling
 *     a non-empty `key` and when exiting the item.
 */
function visit(cst, visitor) {
    if ('type' in cst && cst.type === 'document')
        cst = { start: cst.start, value: cst.value };
    _visit(Object.freeze([]), cst, visitor);
}
// Without the `as symbol` casts, TS declares these in the `visit`
// namespace using `var`, but then complains about that because
// `unique symbol` must be `const`.
/** Terminate visit traversal completely */
visit.BREAK = BREAK;
/** Do not visit the children of the current item */
visit.SKIP = SKIP;
/** Remove the current item */
visit.REMOVE = REMOVE;
/** Find the item at `path` from `cst` as the root */
visit.itemAtPath = (cst, path) => {
    let item = cst;
    for (const [field, index] of path) {
        const tok = item?.[field];
        if (tok && 'items' in tok) {
            item = tok.items[index];
        }
        else
            return undefined;
    }
    return item;
};
/**
 * Get the immediate parent collection of the item at `path` from `cst` as the root.
 *
 * Throws an error if the collection is not found, which should never happen if the item itself exists.
 */
visit.parentCollection = (cst, path) => {
    const parent = visit.itemAtPath(cst, path.slice(0, -1));
    const field = path[path.length - 1][0];
    const coll = parent?.[field];
    if (coll && 'items' in coll)
        return coll;
    throw new Error('Parent collection not found');
};
function _visit(path, item, visitor) {
    let ctrl = visitor(item, path);
    if (typeof ctrl === 'symbol')
        return ctrl;
    for (const field of ['key', 'value']) {
        const token = item[field];
        if (token && 'items' in token) {
            for (let i = 0; i < token.items.length; ++i) {
                const ci = _visit(Object.freeze(path.concat([[field, i]])), token.items[i], visitor);
                if (typeof ci === 'number')
                    i = ci - 1;
                else if (ci === BREAK)
                    return BREAK;
                else if (ci === REMOVE) {
                    token.items.splice(i, 1);
                    i -= 1;
                }
            }
            if (typeof ctrl === 'function' && field === 'key')
                ctrl = ctrl(item, path);
        }
    }
    return typeof ctrl === 'function' ? ctrl(item, path) : ctrl;
}

exports.visit = visit;


/***/ }),

/***/ 3461:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var cstScalar = __nccwpck_require__(110);
var cstStringify = __nccwpck_require__(1733);
var cstVisit = __nccwpck_require__(7715);

/** The byte order mark */
const BOM = '\u{FEFF}';
/** Start of doc-mode */
const DOCUMENT = '\x02'; // C0: Start of Text
/** Unexpected end of flow-mode */
const FLOW_END = '\x18'; // C0: Cancel
/** Next token is a scalar value */
const SCALAR = '\x1f'; // C0: Unit Separator
/** @returns `true` if `token` is a flow or block collection */
const isCollection = (token) => !!token && 'items' in token;
/** @returns `true` if `token` is a flow or block scalar; not an alias */
const isScalar = (token) => !!token &&
    (token.type === 'scalar' ||
        token.type === 'single-quoted-scalar' ||
        token.type === 'double-quoted-scalar' ||
        token.type === 'block-scalar');
/* istanbul ignore next */
/** Get a printable representation of a lexer token */
function prettyToken(token) {
    switch (token) {
        case BOM:
            return '<BOM>';
        case DOCUMENT:
            return '<DOC>';
        case FLOW_END:
            return '<FLOW_END>';
        case SCALAR:
            return '<SCALAR>';
        default:
            return JSON.stringify(token);
    }
}
/** Identify the type of a lexer token. May return `null` for unknown tokens. */
function tokenType(source) {
    switch (source) {
        case BOM:
            return 'byte-order-mark';
        case DOCUMENT:
            return 'doc-mode';
        case FLOW_END:
            return 'flow-error-end';
        case SCALAR:
            return 'scalar';
        case '---':
            return 'doc-start';
        case '...':
            return 'doc-end';
        case '':
        case '\n':
        case '\r\n':
            return 'newline';
        case '-':
            return 'seq-item-ind';
        case '?':
            return 'explicit-key-ind';
        case ':':
            return 'map-value-ind';
        case '{':
            return 'flow-map-start';
        case '}':
            return 'flow-map-end';
        case '[':
            return 'flow-seq-start';
        case ']':
            return 'flow-seq-end';
        case ',':
            return 'comma';
    }
    switch (source[0]) {
        case ' ':
        case '\t':
            return 'space';
        case '#':
            return 'comment';
        case '%':
            return 'directive-line';
        case '*':
            return 'alias';
        case '&':
            return 'anchor';
        case '!':
            return 'tag';
        case "'":
            return 'single-quoted-scalar';
        case '"':
            return 'double-quoted-scalar';
        case '|':
        case '>':
            return 'block-scalar-header';
    }
    return null;
}

exports.createScalarToken = cstScalar.createScalarToken;
exports.resolveAsScalar = cstScalar.resolveAsScalar;
exports.setScalarValue = cstScalar.setScalarValue;
exports.stringify = cstStringify.stringify;
exports.visit = cstVisit.visit;
exports.BOM = BOM;
exports.DOCUMENT = DOCUMENT;
exports.FLOW_END = FLOW_END;
exports.SCALAR = SCALAR;
exports.isCollection = isCollection;
exports.isScalar = isScalar;
exports.prettyToken = prettyToken;
exports.tokenType = tokenType;


/***/ }),

/***/ 361:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var cst = __nccwpck_require__(3461);

/*
START -> stream

stream
  directive -> line-end -> stream
  indent + line-end -> stream
  [else] -> line-start

line-end
  comment -> line-end
  newline -> .
  input-end -> END

line-start
  doc-start -> doc
  doc-end -> stream
  [else] -> indent -> block-start

block-start
  seq-item-start -> block-start
  explicit-key-start -> block-start
  map-value-start -> block-start
  [else] -> doc

doc
  line-end -> line-start
  spaces -> doc
  anchor -> doc
  tag -> doc
  flow-start -> flow -> doc
  flow-end -> error -> doc
  seq-item-start -> error -> doc
  explicit-key-start -> error -> doc
  map-value-start -> doc
  alias -> doc
  quote-start -> quoted-scalar -> doc
  block-scalar-header -> line-end -> block-scalar(min) -> line-start
  [else] -> plain-scalar(false, min) -> doc

flow
  line-end -> flow
  spaces -> flow
  anchor -> flow
  tag -> flow
  flow-start -> flow -> flow
  flow-end -> .
  seq-item-start -> error -> flow
  explicit-key-start -> flow
  map-value-start -> flow
  alias -> flow
  quote-start -> quoted-scalar -> flow
  comma -> flow
  [else] -> plain-scalar(true, 0) -> flow

quoted-scalar
  quote-end -> .
  [else] -> quoted-scalar

block-scalar(min)
  newline + peek(indent < min) -> .
  [else] -> block-scalar(min)

plain-scalar(is-flow, min)
  scalar-end(is-flow) -> .
  peek(newline + (indent < min)) -> .
  [else] -> plain-scalar(min)
*/
function isEmpty(ch) {
    switch (ch) {
        case undefined:
        case ' ':
        case '\n':
        case '\r':
        case '\t':
            return true;
        default:
            return false;
    }
}
const hexDigits = new Set('0123456789ABCDEFabcdef');
const tagChars = new Set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-#;/?:@&=+$_.!~*'()");
const flowIndicatorChars = new Set(',[]{}');
const invalidAnchorChars = new Set(' ,[]{}\n\r\t');
const isNotAnchorChar = (ch) => !ch || invalidAnchorChars.has(ch);
/**
 * Splits an input string into lexical tokens, i.e. smaller strings that are
 * easily identifiable by `tokens.tokenType()`.
 *
 * Lexing starts always in a "stream" context. Incomplete input may be buffered
 * until a complete token can be emitted.
 *
 * In addition to slices of the original input, the following control characters
 * may also be emitted:
 *
 * - `\x02` (Start of Text): A document starts with the next token
 * - `\x18` (Cancel): Unexpected end of flow-mode (indicates an error)
 * - `\x1f` (Unit Separator): Next token is a scalar value
 * - `\u{FEFF}` (Byte order mark): Emitted separately outside documents
 */
class Lexer {
    constructor() {
        /**
         * Flag indicating whether the end of the current buffer marks the end of
         * all input
         */
        this.atEnd = false;
        /**
         * Explicit indent set in block scalar header, as an offset from the current
         * minimum indent, so e.g. set to 1 from a header `|2+`. Set to -1 if not
         * explicitly set.
         */
        this.blockScalarIndent = -1;
        /**
         * Block scalars that include a + (keep) chomping indicator in their header
         * include trailing empty lines, which are otherwise excluded from the
         * scalar's contents.
         */
        this.blockScalarKeep = false;
        /** Current input */
        this.buffer = '';
        /**
         * Flag noting whether the map value indicator : can immediately follow this
         * node within a flow context.
         */
        this.flowKey = false;
        /** Count of surrounding flow collection levels. */
        this.flowLevel = 0;
        /**
         * Minimum level of indentation required for next lines to be parsed as a
         * part of the current scalar value.
         */
        this.indentNext = 0;
        /** Indentation level of the current line. */
        this.indentValue = 0;
        /** Position of the next \n character. */
        this.lineEndPos = null;
        /** Stores the state of the lexer if reaching the end of incpomplete input */
        this.next = null;
        /** A pointer to `buffer`; the current position of the lexer. */
        this.pos = 0;
    }
    /**
     * Generate YAML tokens from the `source` string. If `incomplete`,
     * a part of the last line may be left as a buffer for the next call.
     *
     * @returns A generator of lexical tokens
     */
    *lex(source, incomplete = false) {
        if (source) {
            if (typeof source !== 'string')
                throw TypeError('source is not a string');
            this.buffer = this.buffer ? this.buffer + source : source;
            this.lineEndPos = null;
        }
        this.atEnd = !incomplete;
        let next = this.next ?? 'stream';
        while (next && (incomplete || this.hasChars(1)))
            next = yield* this.parseNext(next);
    }
    atLineEnd() {
        let i = this.pos;
        let ch = this.buffer[i];
        while (ch === ' ' || ch === '\t')
            ch = this.buffer[++i];
        if (!ch || ch === '#' || ch === '\n')
            return true;
        if (ch === '\r')
            return this.buffer[i + 1] === '\n';
        return false;
    }
    charAt(n) {
        return this.buffer[this.pos + n];
    }
    continueScalar(offset) {
        let ch = this.buffer[offset];
        if (this.indentNext > 0) {
            let indent = 0;
            while (ch === ' ')
                ch = this.buffer[++indent + offset];
            if (ch === '\r') {
                const next = this.buffer[indent + offset + 1];
                if (next === '\n' || (!next && !this.atEnd))
                    return offset + indent + 1;
            }
            return ch === '\n' || indent >= this.indentNext || (!ch && !this.atEnd)
                ? offset + indent
                : -1;
        }
        if (ch === '-' || ch === '.') {
            const dt = this.buffer.substr(offset, 3);
            if ((dt === '---' || dt === '...') && isEmpty(this.buffer[offset + 3]))
                return -1;
        }
        return offset;
    }
    getLine() {
        let end = this.lineEndPos;
        if (typeof end !== 'number' || (end !== -1 && end < this.pos)) {
            end = this.buffer.indexOf('\n', this.pos);
            this.lineEndPos = end;
        }
        if (end === -1)
            return this.atEnd ? this.buffer.substring(this.pos) : null;
        if (this.buffer[end - 1] === '\r')
            end -= 1;
        return this.buffer.substring(this.pos, end);
    }
    hasChars(n) {
        return this.pos + n <= this.buffer.length;
    }
    setNext(state) {
        this.buffer = this.buffer.substring(this.pos);
        this.pos = 0;
        this.lineEndPos = null;
        this.next = state;
        return null;
    }
    peek(n) {
        return this.buffer.substr(this.pos, n);
    }
    *parseNext(next) {
        switch (next) {
            case 'stream':
                return yield* this.parseStream();
            case 'line-start':
                return yield* this.parseLineStart();
            case 'block-start':
                return yield* this.parseBlockStart();
            case 'doc':
                return yield* this.parseDocument();
            case 'flow':
                return yield* this.parseFlowCollection();
            case 'quoted-scalar':
                return yield* this.parseQuotedScalar();
            case 'block-scalar':
                return yield* this.parseBlockScalar();
            case 'plain-scalar':
                return yield* this.parsePlainScalar();
        }
    }
    *parseStream() {
        let line = this.getLine();
        if (line === null)
            return this.setNext('stream');
        if (line[0] === cst.BOM) {
            yield* this.pushCount(1);
            line = line.substring(1);
        }
        if (line[0] === '%') {
            let dirEnd = line.length;
            let cs = line.indexOf('#');
            while (cs !== -1) {
                const ch = line[cs - 1];
                if (ch === ' ' || ch === '\t') {
                    dirEnd = cs - 1;
                    break;
                }
                else {
                    cs = line.indexOf('#', cs + 1);
                }
            }
            while (true) {
                const ch = line[dirEnd - 1];
                if (ch === ' ' || ch === '\t')
                    dirEnd -= 1;
                else
                    break;
            }
            const n = (yield* this.pushCount(dirEnd)) + (yield* this.pushSpaces(true));
            yield* this.pushCount(line.length - n); // possible comment
            this.pushNewline();
            return 'stream';
        }
        if (this.atLineEnd()) {
            const sp = yield* this.pushSpaces(true);
            yield* this.pushCount(line.length - sp);
            yield* this.pushNewline();
            return 'stream';
        }
        yield cst.DOCUMENT;
        return yield* this.parseLineStart();
    }
    *parseLineStart() {
        const ch = this.charAt(0);
        if (!ch && !this.atEnd)
            return this.setNext('line-start');
        if (ch === '-' || ch === '.') {
            if (!this.atEnd && !this.hasChars(4))
                return this.setNext('line-start');
            const s = this.peek(3);
            if ((s === '---' || s === '...') && isEmpty(this.charAt(3))) {
                yield* this.pushCount(3);
                this.indentValue = 0;
                this.indentNext = 0;
                return s === '---' ? 'doc' : 'stream';
            }
        }
        this.indentValue = yield* this.pushSpaces(false);
        if (this.indentNext > this.indentValue && !isEmpty(this.charAt(1)))
            this.indentNext = this.indentValue;
        return yield* this.parseBlockStart();
    }
    *parseBlockStart() {
        const [ch0, ch1] = this.peek(2);
        if (!ch1 && !this.atEnd)
            return this.setNext('block-start');
        if ((ch0 === '-' || ch0 === '?' || ch0 === ':') && isEmpty(ch1)) {
            const n = (yield* this.pushCount(1)) + (yield* this.pushSpaces(true));
            this.indentNext = this.indentValue + 1;
            this.indentValue += n;
            return 'block-start';
        }
        return 'doc';
    }
    *parseDocument() {
        yield* this.pushSpaces(true);
        const line = this.getLine();
        if (line === null)
            return this.setNext('doc');
        let n = yield* this.pushIndicators();
        switch (line[n]) {
            case '#':
                yield* this.pushCount(line.length - n);
            // fallthrough
            case undefined:
                yield* this.pushNewline();
                return yield* this.parseLineStart();
            case '{':
            case '[':
                yield* this.pushCount(1);
                this.flowKey = false;
                this.flowLevel = 1;
                return 'flow';
            case '}':
            case ']':
                // this is an error
                yield* this.pushCount(1);
                return 'doc';
            case '*':
                yield* this.pushUntil(isNotAnchorChar);
                return 'doc';
            case '"':
            case "'":
                return yield* this.parseQuotedScalar();
            case '|':
            case '>':
                n += yield* this.parseBlockScalarHeader();
                n += yield* this.pushSpaces(true);
                yield* this.pushCount(line.length - n);
                yield* this.pushNewline();
                return yield* this.parseBlockScalar();
            default:
                return yield* this.parsePlainScalar();
        }
    }
    *parseFlowCollection() {
        let nl, sp;
        let indent = -1;
        do {
            nl = yield* this.pushNewline();
            if (nl > 0) {
                sp = yield* this.pushSpaces(false);
                this.indentValue = indent = sp;
            }
            else {
                sp = 0;
            }
            sp += yield* this.pushSpaces(true);
        } while (nl + sp > 0);
        const line = this.getLine();
        if (line === null)
            return this.setNext('flow');
        if ((indent !== -1 && indent < this.indentNext && line[0] !== '#') ||
            (indent === 0 &&
                (line.startsWith('---') || line.startsWith('...')) &&
                isEmpty(line[3]))) {
            // Allowing for the terminal ] or } at the same (rather than greater)
            // indent level as the initial [ or { is technically invalid, but
            // failing here would be surprising to users.
            const atFlowEndMarker = indent === this.indentNext - 1 &&
                this.flowLevel === 1 &&
                (line[0] === ']' || line[0] === '}');
            if (!atFlowEndMarker) {
                // this is an error
                this.flowLevel = 0;
                yield cst.FLOW_END;
                return yield* this.parseLineStart();
            }
        }
        let n = 0;
        while (line[n] === ',') {
            n += yield* this.pushCount(1);
            n += yield* this.pushSpaces(true);
            this.flowKey = false;
        }
        n += yield* this.pushIndicators();
        switch (line[n]) {
            case undefined:
                return 'flow';
            case '#':
                yield* this.pushCount(line.length - n);
                return 'flow';
            case '{':
            case '[':
                yield* this.pushCount(1);
                this.flowKey = false;
                this.flowLevel += 1;
                return 'flow';
            case '}':
            case ']':
                yield* this.pushCount(1);
                this.flowKey = true;
                this.flowLevel -= 1;
                return this.flowLevel ? 'flow' : 'doc';
            case '*':
                yield* this.pushUntil(isNotAnchorChar);
                return 'flow';
            case '"':
            case "'":
                this.flowKey = true;
                return yield* this.parseQuotedScalar();
            case ':': {
                const next = this.charAt(1);
                if (this.flowKey || isEmpty(next) || next === ',') {
                    this.flowKey = false;
                    yield* this.pushCount(1);
                    yield* this.pushSpaces(true);
                    return 'flow';
                }
            }
            // fallthrough
            default:
                this.flowKey = false;
                return yield* this.parsePlainScalar();
        }
    }
    *parseQuotedScalar() {
        const quote = this.charAt(0);
        let end = this.buffer.indexOf(quote, this.pos + 1);
        if (quote === "'") {
            while (end !== -1 && this.buffer[end + 1] === "'")
                end = this.buffer.indexOf("'", end + 2);
        }
        else {
            // double-quote
            while (end !== -1) {
                let n = 0;
                while (this.buffer[end - 1 - n] === '\\')
                    n += 1;
                if (n % 2 === 0)
                    break;
                end = this.buffer.indexOf('"', end + 1);
            }
        }
        // Only looking for newlines within the quotes
        const qb = this.buffer.substring(0, end);
        let nl = qb.indexOf('\n', this.pos);
        if (nl !== -1) {
            while (nl !== -1) {
                const cs = this.continueScalar(nl + 1);
                if (cs === -1)
                    break;
                nl = qb.indexOf('\n', cs);
            }
            if (nl !== -1) {
                // this is an error caused by an unexpected unindent
                end = nl - (qb[nl - 1] === '\r' ? 2 : 1);
            }
        }
        if (end === -1) {
            if (!this.atEnd)
                return this.setNext('quoted-scalar');
            end = this.buffer.length;
        }
        yield* this.pushToIndex(end + 1, false);
        return this.flowLevel ? 'flow' : 'doc';
    }
    *parseBlockScalarHeader() {
        this.blockScalarIndent = -1;
        this.blockScalarKeep = false;
        let i = this.pos;
        while (true) {
            const ch = this.buffer[++i];
            if (ch === '+')
                this.blockScalarKeep = true;
            else if (ch > '0' && ch <= '9')
                this.blockScalarIndent = Number(ch) - 1;
            else if (ch !== '-')
                break;
        }
        return yield* this.pushUntil(ch => isEmpty(ch) || ch === '#');
    }
    *parseBlockScalar() {
        let nl = this.pos - 1; // may be -1 if this.pos === 0
        let indent = 0;
        let ch;
        loop: for (let i = this.pos; (ch = this.buffer[i]); ++i) {
            switch (ch) {
                case ' ':
                    indent += 1;
                    break;
                case '\n':
                    nl = i;
                    indent = 0;
                    break;
                case '\r': {
                    const next = this.buffer[i + 1];
                    if (!next && !this.atEnd)
                        return this.setNext('block-scalar');
                    if (next === '\n')
                        break;
                } // fallthrough
                default:
                    break loop;
            }
        }
        if (!ch && !this.atEnd)
            return this.setNext('block-scalar');
        if (indent >= this.indentNext) {
            if (this.blockScalarIndent === -1)
                this.indentNext = indent;
            else {
                this.indentNext =
                    this.blockScalarIndent + (this.indentNext === 0 ? 1 : this.indentNext);
            }
            do {
                const cs = this.continueScalar(nl + 1);
                if (cs === -1)
                    break;
                nl = this.buffer.indexOf('\n', cs);
            } while (nl !== -1);
            if (nl === -1) {
                if (!this.atEnd)
                    return this.setNext('block-scalar');
                nl = this.buffer.length;
            }
        }
        // Trailing insufficiently indented tabs are invalid.
        // To catch that during parsing, we include them in the block scalar value.
        let i = nl + 1;
        ch = this.buffer[i];
        while (ch === ' ')
            ch = this.buffer[++i];
        if (ch === '\t') {
            while (ch === '\t' || ch === ' ' || ch === '\r' || ch === '\n')
                ch = this.buffer[++i];
            nl = i - 1;
        }
        else if (!this.blockScalarKeep) {
            do {
                let i = nl - 1;
                let ch = this.buffer[i];
                if (ch === '\r')
                    ch = this.buffer[--i];
                const lastChar = i; // Drop the line if last char not more indented
                while (ch === ' ')
                    ch = this.buffer[--i];
                if (ch === '\n' && i >= this.pos && i + 1 + indent > lastChar)
                    nl = i;
                else
                    break;
            } while (true);
        }
        yield cst.SCALAR;
        yield* this.pushToIndex(nl + 1, true);
        return yield* this.parseLineStart();
    }
    *parsePlainScalar() {
        const inFlow = this.flowLevel > 0;
        let end = this.pos - 1;
        let i = this.pos - 1;
        let ch;
        while ((ch = this.buffer[++i])) {
            if (ch === ':') {
                const next = this.buffer[i + 1];
                if (isEmpty(next) || (inFlow && flowIndicatorChars.has(next)))
                    break;
                end = i;
            }
            else if (isEmpty(ch)) {
                let next = this.buffer[i + 1];
                if (ch === '\r') {
                    if (next === '\n') {
                        i += 1;
                        ch = '\n';
                        next = this.buffer[i + 1];
                    }
                    else
                        end = i;
                }
                if (next === '#' || (inFlow && flowIndicatorChars.has(next)))
                    break;
                if (ch === '\n') {
                    const cs = this.continueScalar(i + 1);
                    if (cs === -1)
                        break;
                    i = Math.max(i, cs - 2); // to advance, but still account for ' #'
                }
            }
            else {
                if (inFlow && flowIndicatorChars.has(ch))
                    break;
                end = i;
            }
        }
        if (!ch && !this.atEnd)
            return this.setNext('plain-scalar');
        yield cst.SCALAR;
        yield* this.pushToIndex(end + 1, true);
        return inFlow ? 'flow' : 'doc';
    }
    *pushCount(n) {
        if (n > 0) {
            yield this.buffer.substr(this.pos, n);
            this.pos += n;
            return n;
        }
        return 0;
    }
    *pushToIndex(i, allowEmpty) {
        const s = this.buffer.slice(this.pos, i);
        if (s) {
            yield s;
            this.pos += s.length;
            return s.length;
        }
        else if (allowEmpty)
            yield '';
        return 0;
    }
    *pushIndicators() {
        let n = 0;
        loop: while (true) {
            switch (this.charAt(0)) {
                case '!':
                    n += yield* this.pushTag();
                    n += yield* this.pushSpaces(true);
                    continue loop;
                case '&':
                    n += yield* this.pushUntil(isNotAnchorChar);
                    n += yield* this.pushSpaces(true);
                    continue loop;
                case '-': // this is an error
                case '?': // this is an error outside flow collections
                case ':': {
                    const inFlow = this.flowLevel > 0;
                    const ch1 = this.charAt(1);
                    if (isEmpty(ch1) || (inFlow && flowIndicatorChars.has(ch1))) {
                        if (!inFlow)
                            this.indentNext = this.indentValue + 1;
                        else if (this.flowKey)
                            this.flowKey = false;
                        n += yield* this.pushCount(1);
                        n += yield* this.pushSpaces(true);
                        continue loop;
                    }
                }
            }
            break loop;
        }
        return n;
    }
    *pushTag() {
        if (this.charAt(1) === '<') {
            let i = this.pos + 2;
            let ch = this.buffer[i];
            while (!isEmpty(ch) && ch !== '>')
                ch = this.buffer[++i];
            return yield* this.pushToIndex(ch === '>' ? i + 1 : i, false);
        }
        else {
            let i = this.pos + 1;
            let ch = this.buffer[i];
            while (ch) {
                if (tagChars.has(ch))
                    ch = this.buffer[++i];
                else if (ch === '%' &&
                    hexDigits.has(this.buffer[i + 1]) &&
                    hexDigits.has(this.buffer[i + 2])) {
                    ch = this.buffer[(i += 3)];
                }
                else
                    break;
            }
            return yield* this.pushToIndex(i, false);
        }
    }
    *pushNewline() {
        const ch = this.buffer[this.pos];
        if (ch === '\n')
            return yield* this.pushCount(1);
        else if (ch === '\r' && this.charAt(1) === '\n')
            return yield* this.pushCount(2);
        else
            return 0;
    }
    *pushSpaces(allowTabs) {
        let i = this.pos - 1;
        let ch;
        do {
            ch = this.buffer[++i];
        } while (ch === ' ' || (allowTabs && ch === '\t'));
        const n = i - this.pos;
        if (n > 0) {
            yield this.buffer.substr(this.pos, n);
            this.pos = i;
        }
        return n;
    }
    *pushUntil(test) {
        let i = this.pos;
        let ch = this.buffer[i];
        while (!test(ch))
            ch = this.buffer[++i];
        return yield* this.pushToIndex(i, false);
    }
}

exports.Lexer = Lexer;


/***/ }),

/***/ 6628:
/***/ ((__unused_webpack_module, exports) => {



/**
 * Tracks newlines during parsing in order to provide an efficient API for
 * determining the one-indexed `{ line, col }` position for any offset
 * within the input.
 */
class LineCounter {
    constructor() {
        this.lineStarts = [];
        /**
         * Should be called in ascending order. Otherwise, call
         * `lineCounter.lineStarts.sort()` before calling `linePos()`.
         */
        this.addNewLine = (offset) => this.lineStarts.push(offset);
        /**
         * Performs a binary search and returns the 1-indexed { line, col }
         * position of `offset`. If `line === 0`, `addNewLine` has never been
         * called or `offset` is before the first known newline.
         */
        this.linePos = (offset) => {
            let low = 0;
            let high = this.lineStarts.length;
            while (low < high) {
                const mid = (low + high) >> 1; // Math.floor((low + high) / 2)
                if (this.lineStarts[mid] < offset)
                    low = mid + 1;
                else
                    high = mid;
            }
            if (this.lineStarts[low] === offset)
                return { line: low + 1, col: 1 };
            if (low === 0)
                return { line: 0, col: offset };
            const start = this.lineStarts[low - 1];
            return { line: low, col: offset - start + 1 };
        };
    }
}

exports.LineCounter = LineCounter;


/***/ }),

/***/ 3456:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var node_process = __nccwpck_require__(932);
var cst = __nccwpck_require__(3461);
var lexer = __nccwpck_require__(361);

function includesToken(list, type) {
    for (let i = 0; i < list.length; ++i)
        if (list[i].type === type)
            return true;
    return false;
}
function findNonEmptyIndex(list) {
    for (let i = 0; i < list.length; ++i) {
        switch (list[i].type) {
            case 'space':
            case 'comment':
            case 'newline':
                break;
            default:
                return i;
        }
    }
    return -1;
}
function isFlowToken(token) {
    switch (token?.type) {
        case 'alias':
        case 'scalar':
        case 'single-quoted-scalar':
        case 'double-quoted-scalar':
        case 'flow-collection':
            return true;
        default:
            return false;
    }
}
function getPrevProps(parent) {
    switch (parent.type) {
        case 'document':
            return parent.start;
        case 'block-map': {
            const it = parent.items[parent.items.length - 1];
            return it.sep ?? it.start;
        }
        case 'block-seq':
            return parent.items[parent.items.length - 1].start;
        /* istanbul ignore next should not happen */
        default:
            return [];
    }
}
/** Note: May modify input array */
function getFirstKeyStartProps(prev) {
    if (prev.length === 0)
        return [];
    let i = prev.length;
    loop: while (--i >= 0) {
        switch (prev[i].type) {
            case 'doc-start':
            case 'explicit-key-ind':
            case 'map-value-ind':
            case 'seq-item-ind':
            case 'newline':
                break loop;
        }
    }
    while (prev[++i]?.type === 'space') {
        /* loop */
    }
    return prev.splice(i, prev.length);
}
function arrayPushArray(target, source) {
    // May exhaust call stack with large `source` array
    if (source.length < 1e5)
        Array.prototype.push.apply(target, source);
    else
        for (let i = 0; i < source.length; ++i)
            target.push(source[i]);
}
function fixFlowSeqItems(fc) {
    if (fc.start.type === 'flow-seq-start') {
        for (const it of fc.items) {
            if (it.sep &&
                !it.value &&
                !includesToken(it.start, 'explicit-key-ind') &&
                !includesToken(it.sep, 'map-value-ind')) {
                if (it.key)
                    it.value = it.key;
                delete it.key;
                if (isFlowToken(it.value)) {
                    if (it.value.end)
                        arrayPushArray(it.value.end, it.sep);
                    else
                        it.value.end = it.sep;
                }
                else
                    arrayPushArray(it.start, it.sep);
                delete it.sep;
            }
        }
    }
}
/**
 * A YAML concrete syntax tree (CST) parser
 *
 * ```ts
 * const src: string = ...
 * for (const token of new Parser().parse(src)) {
 *   // token: Token
 * }
 * ```
 *
 * To use the parser with a user-provided lexer:
 *
 * ```ts
 * function* parse(source: string, lexer: Lexer) {
 *   const parser = new Parser()
 *   for (const lexeme of lexer.lex(source))
 *     yield* parser.next(lexeme)
 *   yield* parser.end()
 * }
 *
 * const src: string = ...
 * const lexer = new Lexer()
 * for (const token of parse(src, lexer)) {
 *   // token: Token
 * }
 * ```
 */
class Parser {
    /**
     * @param onNewLine - If defined, called separately with the start position of
     *   each new line (in `parse()`, including the start of input).
     */
    constructor(onNewLine) {
        /** If true, space and sequence indicators count as indentation */
        this.atNewLine = true;
        /** If true, next token is a scalar value */
        this.atScalar = false;
        /** Current indentation level */
        this.indent = 0;
        /** Current offset since the start of parsing */
        this.offset = 0;
        /** On the same line with a block map key */
        this.onKeyLine = false;
        /** Top indicates the node that's currently being built */
        this.stack = [];
        /** The source of the current token, set in parse() */
        this.source = '';
        /** The type of the current token, set in parse() */
        this.type = '';
        // Must be defined after `next()`
        this.lexer = new lexer.Lexer();
        this.onNewLine = onNewLine;
    }
    /**
     * Parse `source` as a YAML stream.
     * If `incomplete`, a part of the last line may be left as a buffer for the next call.
     *
     * Errors are not thrown, but yielded as `{ type: 'error', message }` tokens.
     *
     * @returns A generator of tokens representing each directive, document, and other structure.
     */
    *parse(source, incomplete = false) {
        if (this.onNewLine && this.offset === 0)
            this.onNewLine(0);
        for (const lexeme of this.lexer.lex(source, incomplete))
            yield* this.next(lexeme);
        if (!incomplete)
            yield* this.end();
    }
    /**
     * Advance the parser by the `source` of one lexical token.
     */
    *next(source) {
        this.source = source;
        if (node_process.env.LOG_TOKENS)
            console.log('|', cst.prettyToken(source));
        if (this.atScalar) {
            this.atScalar = false;
            yield* this.step();
            this.offset += source.length;
            return;
        }
        const type = cst.tokenType(source);
        if (!type) {
            const message = `Not a YAML token: ${source}`;
            yield* this.pop({ type: 'error', offset: this.offset, message, source });
            this.offset += source.length;
        }
        else if (type === 'scalar') {
            this.atNewLine = false;
            this.atScalar = true;
            this.type = 'scalar';
        }
        else {
            this.type = type;
            yield* this.step();
            switch (type) {
                case 'newline':
                    this.atNewLine = true;
                    this.indent = 0;
                    if (this.onNewLine)
                        this.onNewLine(this.offset + source.length);
                    break;
                case 'space':
                    if (this.atNewLine && source[0] === ' ')
                        this.indent += source.length;
                    break;
                case 'explicit-key-ind':
                case 'map-value-ind':
                case 'seq-item-ind':
                    if (this.atNewLine)
                        this.indent += source.length;
                    break;
                case 'doc-mode':
                case 'flow-error-end':
                    return;
                default:
                    this.atNewLine = false;
            }
            this.offset += source.length;
        }
    }
    /** Call at end of input to push out any remaining constructions */
    *end() {
        while (this.stack.length > 0)
            yield* this.pop();
    }
    get sourceToken() {
        const st = {
            type: this.type,
            offset: this.offset,
            indent: this.indent,
            source: this.source
        };
        return st;
    }
    *step() {
        const top = this.peek(1);
        if (this.type === 'doc-end' && top?.type !== 'doc-end') {
            while (this.stack.length > 0)
                yield* this.pop();
            this.stack.push({
                type: 'doc-end',
                offset: this.offset,
                source: this.source
            });
            return;
        }
        if (!top)
            return yield* this.stream();
        switch (top.type) {
            case 'document':
                return yield* this.document(top);
            case 'alias':
            case 'scalar':
            case 'single-quoted-scalar':
            case 'double-quoted-scalar':
                return yield* this.scalar(top);
            case 'block-scalar':
                return yield* this.blockScalar(top);
            case 'block-map':
                return yield* this.blockMap(top);
            case 'block-seq':
                return yield* this.blockSequence(top);
            case 'flow-collection':
                return yield* this.flowCollection(top);
            case 'doc-end':
                return yield* this.documentEnd(top);
        }
        /* istanbul ignore next should not happen */
        yield* this.pop();
    }
    peek(n) {
        return this.stack[this.stack.length - n];
    }
    *pop(error) {
        const token = error ?? this.stack.pop();
        /* istanbul ignore if should not happen */
        if (!token) {
            const message = 'Tried to pop an empty stack';
            yield { type: 'error', offset: this.offset, source: '', message };
        }
        else if (this.stack.length === 0) {
            yield token;
        }
        else {
            const top = this.peek(1);
            if (token.type === 'block-scalar') {
                // Block scalars use their parent rather than header indent
                token.indent = 'indent' in top ? top.indent : 0;
            }
            else if (token.type === 'flow-collection' && top.type === 'document') {
                // Ignore all indent for top-level flow collections
                token.indent = 0;
            }
            if (token.type === 'flow-collection')
                fixFlowSeqItems(token);
            switch (top.type) {
                case 'document':
                    top.value = token;
                    break;
                case 'block-scalar':
                    top.props.push(token); // error
                    break;
                case 'block-map': {
                    const it = top.items[top.items.length - 1];
                    if (it.value) {
                        top.items.push({ start: [], key: token, sep: [] });
                        this.onKeyLine = true;
                        return;
                    }
                    else if (it.sep) {
                        it.value = token;
                    }
                    else {
                        Object.assign(it, { key: token, sep: [] });
                        this.onKeyLine = !it.explicitKey;
                        return;
                    }
                    break;
                }
                case 'block-seq': {
                    const it = top.items[top.items.length - 1];
                    if (it.value)
                        top.items.push({ start: [], value: token });
                    else
                        it.value = token;
                    break;
                }
                case 'flow-collection': {
                    const it = top.items[top.items.length - 1];
                    if (!it || it.value)
                        top.items.push({ start: [], key: token, sep: [] });
                    else if (it.sep)
                        it.value = token;
                    else
                        Object.assign(it, { key: token, sep: [] });
                    return;
                }
                /* istanbul ignore next should not happen */
                default:
                    yield* this.pop();
                    yield* this.pop(token);
            }
            if ((top.type === 'document' ||
                top.type === 'block-map' ||
                top.type === 'block-seq') &&
                (token.type === 'block-map' || token.type === 'block-seq')) {
                const last = token.items[token.items.length - 1];
                if (last &&
                    !last.sep &&
                    !last.value &&
                    last.start.length > 0 &&
                    findNonEmptyIndex(last.start) === -1 &&
                    (token.indent === 0 ||
                        last.start.every(st => st.type !== 'comment' || st.indent < token.indent))) {
                    if (top.type === 'document')
                        top.end = last.start;
                    else
                        top.items.push({ start: last.start });
                    token.items.splice(-1, 1);
                }
            }
        }
    }
    *stream() {
        switch (this.type) {
            case 'directive-line':
                yield { type: 'directive', offset: this.offset, source: this.source };
                return;
            case 'byte-order-mark':
            case 'space':
            case 'comment':
            case 'newline':
                yield this.sourceToken;
                return;
            case 'doc-mode':
            case 'doc-start': {
                const doc = {
                    type: 'document',
                    offset: this.offset,
                    start: []
                };
                if (this.type === 'doc-start')
                    doc.start.push(this.sourceToken);
                this.stack.push(doc);
                return;
            }
        }
        yield {
            type: 'error',
            offset: this.offset,
            message: `Unexpected ${this.type} token in YAML stream`,
            source: this.source
        };
    }
    *document(doc) {
        if (doc.value)
            return yield* this.lineEnd(doc);
        switch (this.type) {
            case 'doc-start': {
                if (findNonEmptyIndex(doc.start) !== -1) {
                    yield* this.pop();
                    yield* this.step();
                }
                else
                    doc.start.push(this.sourceToken);
                return;
            }
            case 'anchor':
            case 'tag':
            case 'space':
            case 'comment':
            case 'newline':
                doc.start.push(this.sourceToken);
                return;
        }
        const bv = this.startBlockValue(doc);
        if (bv)
            this.stack.push(bv);
        else {
            yield {
                type: 'error',
                offset: this.offset,
                message: `Unexpected ${this.type} token in YAML document`,
                source: this.source
            };
        }
    }
    *scalar(scalar) {
        if (this.type === 'map-value-ind') {
            const prev = getPrevProps(this.peek(2));
            const start = getFirstKeyStartProps(prev);
            let sep;
            if (scalar.end) {
                sep = scalar.end;
                sep.push(this.sourceToken);
                delete scalar.end;
            }
            else
                sep = [this.sourceToken];
            const map = {
                type: 'block-map',
                offset: scalar.offset,
                indent: scalar.indent,
                items: [{ start, key: scalar, sep }]
            };
            this.onKeyLine = true;
            this.stack[this.stack.length - 1] = map;
        }
        else
            yield* this.lineEnd(scalar);
    }
    *blockScalar(scalar) {
        switch (this.type) {
            case 'space':
            case 'comment':
            case 'newline':
                scalar.props.push(this.sourceToken);
                return;
            case 'scalar':
                scalar.source = this.source;
                // block-scalar source includes trailing newline
                this.atNewLine = true;
                this.indent = 0;
                if (this.onNewLine) {
                    let nl = this.source.indexOf('\n') + 1;
                    while (nl !== 0) {
                        this.onNewLine(this.offset + nl);
                        nl = this.source.indexOf('\n', nl) + 1;
                    }
                }
                yield* this.pop();
                break;
            /* istanbul ignore next should not happen */
            default:
                yield* this.pop();
                yield* this.step();
        }
    }
    *blockMap(map) {
        const it = map.items[map.items.length - 1];
        // it.sep is true-ish if pair already has key or : separator
        switch (this.type) {
            case 'newline':
                this.onKeyLine = false;
                if (it.value) {
                    const end = 'end' in it.value ? it.value.end : undefined;
                    const last = Array.isArray(end) ? end[end.length - 1] : undefined;
                    if (last?.type === 'comment')
                        end?.push(this.sourceToken);
                    else
                        map.items.push({ start: [this.sourceToken] });
                }
                else if (it.sep) {
                    it.sep.push(this.sourceToken);
                }
                else {
                    it.start.push(this.sourceToken);
                }
                return;
            case 'space':
            case 'comment':
                if (it.value) {
                    map.items.push({ start: [this.sourceToken] });
                }
                else if (it.sep) {
                    it.sep.push(this.sourceToken);
                }
                else {
                    if (this.atIndentedComment(it.start, map.indent)) {
                        const prev = map.items[map.items.length - 2];
                        const end = prev?.value?.end;
                        if (Array.isArray(end)) {
                            arrayPushArray(end, it.start);
                            end.push(this.sourceToken);
                            map.items.pop();
                            return;
                        }
                    }
                    it.start.push(this.sourceToken);
                }
                return;
        }
        if (this.indent >= map.indent) {
            const atMapIndent = !this.onKeyLine && this.indent === map.indent;
            const atNextItem = atMapIndent &&
                (it.sep || it.explicitKey) &&
                this.type !== 'seq-item-ind';
            // For empty nodes, assign newline-separated not indented empty tokens to following node
            let start = [];
            if (atNextItem && it.sep && !it.value) {
                const nl = [];
                for (let i = 0; i < it.sep.length; ++i) {
                    const st = it.sep[i];
                    switch (st.type) {
                        case 'newline':
                            nl.push(i);
                            break;
                        case 'space':
                            break;
                        case 'comment':
                            if (st.indent > map.indent)
                                nl.length = 0;
                            break;
                        default:
                            nl.length = 0;
                    }
                }
                if (nl.length >= 2)
                    start = it.sep.splice(nl[1]);
            }
            switch (this.type) {
                case 'anchor':
                case 'tag':
                    if (atNextItem || it.value) {
                        start.push(this.sourceToken);
                        map.items.push({ start });
                        this.onKeyLine = true;
                    }
                    else if (it.sep) {
                        it.sep.push(this.sourceToken);
                    }
                    else {
                        it.start.push(this.sourceToken);
                    }
                    return;
                case 'explicit-key-ind':
                    if (!it.sep && !it.explicitKey) {
                        it.start.push(this.sourceToken);
                        it.explicitKey = true;
                    }
                    else if (atNextItem || it.value) {
                        start.push(this.sourceToken);
                        map.items.push({ start, explicitKey: true });
                    }
                    else {
                        this.stack.push({
                            type: 'block-map',
                            offset: this.offset,
                            indent: this.indent,
                            items: [{ start: [this.sourceToken], explicitKey: true }]
                        });
                    }
                    this.onKeyLine = true;
                    return;
                case 'map-value-ind':
                    if (it.explicitKey) {
                        if (!it.sep) {
                            if (includesToken(it.start, 'newline')) {
                                Object.assign(it, { key: null, sep: [this.sourceToken] });
                            }
                            else {
                                const start = getFirstKeyStartProps(it.start);
                                this.stack.push({
                                    type: 'block-map',
                                    offset: this.offset,
                                    indent: this.indent,
                                    items: [{ start, key: null, sep: [this.sourceToken] }]
                                });
                            }
                        }
                        else if (it.value) {
                            map.items.push({ start: [], key: null, sep: [this.sourceToken] });
                        }
                        else if (includesToken(it.sep, 'map-value-ind')) {
                            this.stack.push({
                                type: 'block-map',
                                offset: this.offset,
                                indent: this.indent,
                                items: [{ start, key: null, sep: [this.sourceToken] }]
                            });
                        }
                        else if (isFlowToken(it.key) &&
                            !includesToken(it.sep, 'newline')) {
                            const start = getFirstKeyStartProps(it.start);
                            const key = it.key;
                            const sep = it.sep;
                            sep.push(this.sourceToken);
                            // @ts-expect-error type guard is wrong here
                            delete it.key;
                            // @ts-expect-error type guard is wrong here
                            delete it.sep;
                            this.stack.push({
                                type: 'block-map',
                                offset: this.offset,
                                indent: this.indent,
                                items: [{ start, key, sep }]
                            });
                        }
                        else if (start.length > 0) {
                            // Not actually at next item
                            it.sep = it.sep.concat(start, this.sourceToken);
                        }
                        else {
                            it.sep.push(this.sourceToken);
                        }
                    }
                    else {
                        if (!it.sep) {
                            Object.assign(it, { key: null, sep: [this.sourceToken] });
                        }
                        else if (it.value || atNextItem) {
                            map.items.push({ start, key: null, sep: [this.sourceToken] });
                        }
                        else if (includesToken(it.sep, 'map-value-ind')) {
                            this.stack.push({
                                type: 'block-map',
                                offset: this.offset,
                                indent: this.indent,
                                items: [{ start: [], key: null, sep: [this.sourceToken] }]
                            });
                        }
                        else {
                            it.sep.push(this.sourceToken);
                        }
                    }
                    this.onKeyLine = true;
                    return;
                case 'alias':
                case 'scalar':
                case 'single-quoted-scalar':
                case 'double-quoted-scalar': {
                    const fs = this.flowScalar(this.type);
                    if (atNextItem || it.value) {
                        map.items.push({ start, key: fs, sep: [] });
                        this.onKeyLine = true;
                    }
                    else if (it.sep) {
                        this.stack.push(fs);
                    }
                    else {
                        Object.assign(it, { key: fs, sep: [] });
                        this.onKeyLine = true;
                    }
                    return;
                }
                default: {
                    const bv = this.startBlockValue(map);
                    if (bv) {
                        if (bv.type === 'block-seq') {
                            if (!it.explicitKey &&
                                it.sep &&
                                !includesToken(it.sep, 'newline')) {
                                yield* this.pop({
                                    type: 'error',
                                    offset: this.offset,
                                    message: 'Unexpected block-seq-ind on same line with key',
                                    source: this.source
                                });
                                return;
                            }
                        }
                        else if (atMapIndent) {
                            map.items.push({ start });
                        }
                        this.stack.push(bv);
                        return;
                    }
                }
            }
        }
        yield* this.pop();
        yield* this.step();
    }
    *blockSequence(seq) {
        const it = seq.items[seq.items.length - 1];
        switch (this.type) {
            case 'newline':
                if (it.value) {
                    const end = 'end' in it.value ? it.value.end : undefined;
                    const last = Array.isArray(end) ? end[end.length - 1] : undefined;
                    if (last?.type === 'comment')
                        end?.push(this.sourceToken);
                    else
                        seq.items.push({ start: [this.sourceToken] });
                }
                else
                    it.start.push(this.sourceToken);
                return;
            case 'space':
            case 'comment':
                if (it.value)
                    seq.items.push({ start: [this.sourceToken] });
                else {
                    if (this.atIndentedComment(it.start, seq.indent)) {
                        const prev = seq.items[seq.items.length - 2];
                        const end = prev?.value?.end;
                        if (Array.isArray(end)) {
                            arrayPushArray(end, it.start);
                            end.push(this.sourceToken);
                            seq.items.pop();
                            return;
                        }
                    }
                    it.start.push(this.sourceToken);
                }
                return;
            case 'anchor':
            case 'tag':
                if (it.value || this.indent <= seq.indent)
                    break;
                it.start.push(this.sourceToken);
                return;
            case 'seq-item-ind':
                if (this.indent !== seq.indent)
                    break;
                if (it.value || includesToken(it.start, 'seq-item-ind'))
                    seq.items.push({ start: [this.sourceToken] });
                else
                    it.start.push(this.sourceToken);
                return;
        }
        if (this.indent > seq.indent) {
            const bv = this.startBlockValue(seq);
            if (bv) {
                this.stack.push(bv);
                return;
            }
        }
        yield* this.pop();
        yield* this.step();
    }
    *flowCollection(fc) {
        const it = fc.items[fc.items.length - 1];
        if (this.type === 'flow-error-end') {
            let top;
            do {
                yield* this.pop();
                top = this.peek(1);
            } while (top?.type === 'flow-collection');
        }
        else if (fc.end.length === 0) {
            switch (this.type) {
                case 'comma':
                case 'explicit-key-ind':
                    if (!it || it.sep)
                        fc.items.push({ start: [this.sourceToken] });
                    else
                        it.start.push(this.sourceToken);
                    return;
                case 'map-value-ind':
                    if (!it || it.value)
                        fc.items.push({ start: [], key: null, sep: [this.sourceToken] });
                    else if (it.sep)
                        it.sep.push(this.sourceToken);
                    else
                        Object.assign(it, { key: null, sep: [this.sourceToken] });
                    return;
                case 'space':
                case 'comment':
                case 'newline':
                case 'anchor':
                case 'tag':
                    if (!it || it.value)
                        fc.items.push({ start: [this.sourceToken] });
                    else if (it.sep)
                        it.sep.push(this.sourceToken);
                    else
                        it.start.push(this.sourceToken);
                    return;
                case 'alias':
                case 'scalar':
                case 'single-quoted-scalar':
                case 'double-quoted-scalar': {
                    const fs = this.flowScalar(this.type);
                    if (!it || it.value)
                        fc.items.push({ start: [], key: fs, sep: [] });
                    else if (it.sep)
                        this.stack.push(fs);
                    else
                        Object.assign(it, { key: fs, sep: [] });
                    return;
                }
                case 'flow-map-end':
                case 'flow-seq-end':
                    fc.end.push(this.sourceToken);
                    return;
            }
            const bv = this.startBlockValue(fc);
            /* istanbul ignore else should not happen */
            if (bv)
                this.stack.push(bv);
            else {
                yield* this.pop();
                yield* this.step();
            }
        }
        else {
            const parent = this.peek(2);
            if (parent.type === 'block-map' &&
                ((this.type === 'map-value-ind' && parent.indent === fc.indent) ||
                    (this.type === 'newline' &&
                        !parent.items[parent.items.length - 1].sep))) {
                yield* this.pop();
                yield* this.step();
            }
            else if (this.type === 'map-value-ind' &&
                parent.type !== 'flow-collection') {
                const prev = getPrevProps(parent);
                const start = getFirstKeyStartProps(prev);
                fixFlowSeqItems(fc);
                const sep = fc.end.splice(1, fc.end.length);
                sep.push(this.sourceToken);
                const map = {
                    type: 'block-map',
                    offset: fc.offset,
                    indent: fc.indent,
                    items: [{ start, key: fc, sep }]
                };
                this.onKeyLine = true;
                this.stack[this.stack.length - 1] = map;
            }
            else {
                yield* this.lineEnd(fc);
            }
        }
    }
    flowScalar(type) {
        if (this.onNewLine) {
            let nl = this.source.indexOf('\n') + 1;
            while (nl !== 0) {
                this.onNewLine(this.offset + nl);
                nl = this.source.indexOf('\n', nl) + 1;
            }
        }
        return {
            type,
            offset: this.offset,
            indent: this.indent,
            source: this.source
        };
    }
    startBlockValue(parent) {
        switch (this.type) {
            case 'alias':
            case 'scalar':
            case 'single-quoted-scalar':
            case 'double-quoted-scalar':
                return this.flowScalar(this.type);
            case 'block-scalar-header':
                return {
                    type: 'block-scalar',
                    offset: this.offset,
                    indent: this.indent,
                    props: [this.sourceToken],
                    source: ''
                };
            case 'flow-map-start':
            case 'flow-seq-start':
                return {
                    type: 'flow-collection',
                    offset: this.offset,
                    indent: this.indent,
                    start: this.sourceToken,
                    items: [],
                    end: []
                };
            case 'seq-item-ind':
                return {
                    type: 'block-seq',
                    offset: this.offset,
                    indent: this.indent,
                    items: [{ start: [this.sourceToken] }]
                };
            case 'explicit-key-ind': {
                this.onKeyLine = true;
                const prev = getPrevProps(parent);
                const start = getFirstKeyStartProps(prev);
                start.push(this.sourceToken);
                return {
                    type: 'block-map',
                    offset: this.offset,
                    indent: this.indent,
                    items: [{ start, explicitKey: true }]
                };
            }
            case 'map-value-ind': {
                this.onKeyLine = true;
                const prev = getPrevProps(parent);
                const start = getFirstKeyStartProps(prev);
                return {
                    type: 'block-map',
                    offset: this.offset,
                    indent: this.indent,
                    items: [{ start, key: null, sep: [this.sourceToken] }]
                };
            }
        }
        return null;
    }
    atIndentedComment(start, indent) {
        if (this.type !== 'comment')
            return false;
        if (this.indent <= indent)
            return false;
        return start.every(st => st.type === 'newline' || st.type === 'space');
    }
    *documentEnd(docEnd) {
        if (this.type !== 'doc-mode') {
            if (docEnd.end)
                docEnd.end.push(this.sourceToken);
            else
                docEnd.end = [this.sourceToken];
            if (this.type === 'newline')
                yield* this.pop();
        }
    }
    *lineEnd(token) {
        switch (this.type) {
            case 'comma':
            case 'doc-start':
            case 'doc-end':
            case 'flow-seq-end':
            case 'flow-map-end':
            case 'map-value-ind':
                yield* this.pop();
                yield* this.step();
                break;
            case 'newline':
                this.onKeyLine = false;
            // fallthrough
            case 'space':
            case 'comment':
            default:
                // all other values are errors
                if (token.end)
                    token.end.push(this.sourceToken);
                else
                    token.end = [this.sourceToken];
                if (this.type === 'newline')
                    yield* this.pop();
        }
    }
}

exports.Parser = Parser;


/***/ }),

/***/ 4047:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var composer = __nccwpck_require__(9984);
var Document = __nccwpck_require__(3021);
var errors = __nccwpck_require__(1464);
var log = __nccwpck_require__(7249);
var identity = __nccwpck_require__(1127);
var lineCounter = __nccwpck_require__(6628);
var parser = __nccwpck_require__(3456);

function parseOptions(options) {
    const prettyErrors = options.prettyErrors !== false;
    const lineCounter$1 = options.lineCounter || (prettyErrors && new lineCounter.LineCounter()) || null;
    return { lineCounter: lineCounter$1, prettyErrors };
}
/**
 * Parse the input as a stream of YAML documents.
 *
 * Documents should be separated from each other by `...` or `---` marker lines.
 *
 * @returns If an empty `docs` array is returned, it will be of type
 *   EmptyStream and contain additional stream information. In
 *   TypeScript, you should use `'empty' in docs` as a type guard for it.
 */
function parseAllDocuments(source, options = {}) {
    const { lineCounter, prettyErrors } = parseOptions(options);
    const parser$1 = new parser.Parser(lineCounter?.addNewLine);
    const composer$1 = new composer.Composer(options);
    const docs = Array.from(composer$1.compose(parser$1.parse(source)));
    if (prettyErrors && lineCounter)
        for (const doc of docs) {
            doc.errors.forEach(errors.prettifyError(source, lineCounter));
            doc.warnings.forEach(errors.prettifyError(source, lineCounter));
        }
    if (docs.length > 0)
        return docs;
    return Object.assign([], { empty: true }, composer$1.streamInfo());
}
/** Parse an input string into a single YAML.Document */
function parseDocument(source, options = {}) {
    const { lineCounter, prettyErrors } = parseOptions(options);
    const parser$1 = new parser.Parser(lineCounter?.addNewLine);
    const composer$1 = new composer.Composer(options);
    // `doc` is always set by compose.end(true) at the very latest
    let doc = null;
    for (const _doc of composer$1.compose(parser$1.parse(source), true, source.length)) {
        if (!doc)
            doc = _doc;
        else if (doc.options.logLevel !== 'silent') {
            doc.errors.push(new errors.YAMLParseError(_doc.range.slice(0, 2), 'MULTIPLE_DOCS', 'Source contains multiple documents; please use YAML.parseAllDocuments()'));
            break;
        }
    }
    if (prettyErrors && lineCounter) {
        doc.errors.forEach(errors.prettifyError(source, lineCounter));
        doc.warnings.forEach(errors.prettifyError(source, lineCounter));
    }
    return doc;
}
function parse(src, reviver, options) {
    let _reviver = undefined;
    if (typeof reviver === 'function') {
        _reviver = reviver;
    }
    else if (options === undefined && reviver && typeof reviver === 'object') {
        options = reviver;
    }
    const doc = parseDocument(src, options);
    if (!doc)
        return null;
    doc.warnings.forEach(warning => log.warn(doc.options.logLevel, warning));
    if (doc.errors.length > 0) {
        if (doc.options.logLevel !== 'silent')
            throw doc.errors[0];
        else
            doc.errors = [];
    }
    return doc.toJS(Object.assign({ reviver: _reviver }, options));
}
function stringify(value, replacer, options) {
    let _replacer = null;
    if (typeof replacer === 'function' || Array.isArray(replacer)) {
        _replacer = replacer;
    }
    else if (options === undefined && replacer) {
        options = replacer;
    }
    if (typeof options === 'string')
        options = options.length;
    if (typeof options === 'number') {
        const indent = Math.round(options);
        options = indent < 1 ? undefined : indent > 8 ? { indent: 8 } : { indent };
    }
    if (value === undefined) {
        const { keepUndefined } = options ?? replacer ?? {};
        if (!keepUndefined)
            return undefined;
    }
    if (identity.isDocument(value) && !_replacer)
        return value.toString(options);
    return new Document.Document(value, _replacer, options).toString(options);
}

exports.parse = parse;
exports.parseAllDocuments = parseAllDocuments;
exports.parseDocument = parseDocument;
exports.stringify = stringify;


/***/ }),

/***/ 5840:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var map = __nccwpck_require__(7451);
var seq = __nccwpck_require__(1706);
var string = __nccwpck_require__(6464);
var tags = __nccwpck_require__(18);

const sortMapEntriesByKey = (a, b) => a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
class Schema {
    constructor({ compat, customTags, merge, resolveKnownTags, schema, sortMapEntries, toStringDefaults }) {
        this.compat = Array.isArray(compat)
            ? tags.getTags(compat, 'compat')
            : compat
                ? tags.getTags(null, compat)
                : null;
        this.name = (typeof schema === 'string' && schema) || 'core';
        this.knownTags = resolveKnownTags ? tags.coreKnownTags : {};
        this.tags = tags.getTags(customTags, this.name, merge);
        this.toStringOptions = toStringDefaults ?? null;
        Object.defineProperty(this, identity.MAP, { value: map.map });
        Object.defineProperty(this, identity.SCALAR, { value: string.string });
        Object.defineProperty(this, identity.SEQ, { value: seq.seq });
        // Used by createMap()
        this.sortMapEntries =
            typeof sortMapEntries === 'function'
                ? sortMapEntries
                : sortMapEntries === true
                    ? sortMapEntriesByKey
                    : null;
    }
    clone() {
        const copy = Object.create(Schema.prototype, Object.getOwnPropertyDescriptors(this));
        copy.tags = this.tags.slice();
        return copy;
    }
}

exports.Schema = Schema;


/***/ }),

/***/ 7451:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var YAMLMap = __nccwpck_require__(4454);

const map = {
    collection: 'map',
    default: true,
    nodeClass: YAMLMap.YAMLMap,
    tag: 'tag:yaml.org,2002:map',
    resolve(map, onError) {
        if (!identity.isMap(map))
            onError('Expected a mapping for this tag');
        return map;
    },
    createNode: (schema, obj, ctx) => YAMLMap.YAMLMap.from(schema, obj, ctx)
};

exports.map = map;


/***/ }),

/***/ 3632:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Scalar = __nccwpck_require__(3301);

const nullTag = {
    identify: value => value == null,
    createNode: () => new Scalar.Scalar(null),
    default: true,
    tag: 'tag:yaml.org,2002:null',
    test: /^(?:~|[Nn]ull|NULL)?$/,
    resolve: () => new Scalar.Scalar(null),
    stringify: ({ source }, ctx) => typeof source === 'string' && nullTag.test.test(source)
        ? source
        : ctx.options.nullStr
};

exports.nullTag = nullTag;


/***/ }),

/***/ 1706:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var YAMLSeq = __nccwpck_require__(2223);

const seq = {
    collection: 'seq',
    default: true,
    nodeClass: YAMLSeq.YAMLSeq,
    tag: 'tag:yaml.org,2002:seq',
    resolve(seq, onError) {
        if (!identity.isSeq(seq))
            onError('Expected a sequence for this tag');
        return seq;
    },
    createNode: (schema, obj, ctx) => YAMLSeq.YAMLSeq.from(schema, obj, ctx)
};

exports.seq = seq;


/***/ }),

/***/ 6464:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var stringifyString = __nccwpck_require__(3069);

const string = {
    identify: value => typeof value === 'string',
    default: true,
    tag: 'tag:yaml.org,2002:str',
    resolve: str => str,
    stringify(item, ctx, onComment, onChompKeep) {
        ctx = Object.assign({ actualString: true }, ctx);
        return stringifyString.stringifyString(item, ctx, onComment, onChompKeep);
    }
};

exports.string = string;


/***/ }),

/***/ 3959:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Scalar = __nccwpck_require__(3301);

const boolTag = {
    identify: value => typeof value === 'boolean',
    default: true,
    tag: 'tag:yaml.org,2002:bool',
    test: /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/,
    resolve: str => new Scalar.Scalar(str[0] === 't' || str[0] === 'T'),
    stringify({ source, value }, ctx) {
        if (source && boolTag.test.test(source)) {
            const sv = source[0] === 't' || source[0] === 'T';
            if (value === sv)
                return source;
        }
        return value ? ctx.options.trueStr : ctx.options.falseStr;
    }
};

exports.boolTag = boolTag;


/***/ }),

/***/ 8405:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Scalar = __nccwpck_require__(3301);
var stringifyNumber = __nccwpck_require__(8689);

const floatNaN = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    test: /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
    resolve: str => str.slice(-3).toLowerCase() === 'nan'
        ? NaN
        : str[0] === '-'
            ? Number.NEGATIVE_INFINITY
            : Number.POSITIVE_INFINITY,
    stringify: stringifyNumber.stringifyNumber
};
const floatExp = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    format: 'EXP',
    test: /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/,
    resolve: str => parseFloat(str),
    stringify(node) {
        const num = Number(node.value);
        return isFinite(num) ? num.toExponential() : stringifyNumber.stringifyNumber(node);
    }
};
const float = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    test: /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/,
    resolve(str) {
        const node = new Scalar.Scalar(parseFloat(str));
        const dot = str.indexOf('.');
        if (dot !== -1 && str[str.length - 1] === '0')
            node.minFractionDigits = str.length - dot - 1;
        return node;
    },
    stringify: stringifyNumber.stringifyNumber
};

exports.float = float;
exports.floatExp = floatExp;
exports.floatNaN = floatNaN;


/***/ }),

/***/ 9874:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var stringifyNumber = __nccwpck_require__(8689);

const intIdentify = (value) => typeof value === 'bigint' || Number.isInteger(value);
const intResolve = (str, offset, radix, { intAsBigInt }) => (intAsBigInt ? BigInt(str) : parseInt(str.substring(offset), radix));
function intStringify(node, radix, prefix) {
    const { value } = node;
    if (intIdentify(value) && value >= 0)
        return prefix + value.toString(radix);
    return stringifyNumber.stringifyNumber(node);
}
const intOct = {
    identify: value => intIdentify(value) && value >= 0,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'OCT',
    test: /^0o[0-7]+$/,
    resolve: (str, _onError, opt) => intResolve(str, 2, 8, opt),
    stringify: node => intStringify(node, 8, '0o')
};
const int = {
    identify: intIdentify,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    test: /^[-+]?[0-9]+$/,
    resolve: (str, _onError, opt) => intResolve(str, 0, 10, opt),
    stringify: stringifyNumber.stringifyNumber
};
const intHex = {
    identify: value => intIdentify(value) && value >= 0,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'HEX',
    test: /^0x[0-9a-fA-F]+$/,
    resolve: (str, _onError, opt) => intResolve(str, 2, 16, opt),
    stringify: node => intStringify(node, 16, '0x')
};

exports.int = int;
exports.intHex = intHex;
exports.intOct = intOct;


/***/ }),

/***/ 896:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var map = __nccwpck_require__(7451);
var _null = __nccwpck_require__(3632);
var seq = __nccwpck_require__(1706);
var string = __nccwpck_require__(6464);
var bool = __nccwpck_require__(3959);
var float = __nccwpck_require__(8405);
var int = __nccwpck_require__(9874);

const schema = [
    map.map,
    seq.seq,
    string.string,
    _null.nullTag,
    bool.boolTag,
    int.intOct,
    int.int,
    int.intHex,
    float.floatNaN,
    float.floatExp,
    float.float
];

exports.schema = schema;


/***/ }),

/***/ 3559:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Scalar = __nccwpck_require__(3301);
var map = __nccwpck_require__(7451);
var seq = __nccwpck_require__(1706);

function intIdentify(value) {
    return typeof value === 'bigint' || Number.isInteger(value);
}
const stringifyJSON = ({ value }) => JSON.stringify(value);
const jsonScalars = [
    {
        identify: value => typeof value === 'string',
        default: true,
        tag: 'tag:yaml.org,2002:str',
        resolve: str => str,
        stringify: stringifyJSON
    },
    {
        identify: value => value == null,
        createNode: () => new Scalar.Scalar(null),
        default: true,
        tag: 'tag:yaml.org,2002:null',
        test: /^null$/,
        resolve: () => null,
        stringify: stringifyJSON
    },
    {
        identify: value => typeof value === 'boolean',
        default: true,
        tag: 'tag:yaml.org,2002:bool',
        test: /^true$|^false$/,
        resolve: str => str === 'true',
        stringify: stringifyJSON
    },
    {
        identify: intIdentify,
        default: true,
        tag: 'tag:yaml.org,2002:int',
        test: /^-?(?:0|[1-9][0-9]*)$/,
        resolve: (str, _onError, { intAsBigInt }) => intAsBigInt ? BigInt(str) : parseInt(str, 10),
        stringify: ({ value }) => intIdentify(value) ? value.toString() : JSON.stringify(value)
    },
    {
        identify: value => typeof value === 'number',
        default: true,
        tag: 'tag:yaml.org,2002:float',
        test: /^-?(?:0|[1-9][0-9]*)(?:\.[0-9]*)?(?:[eE][-+]?[0-9]+)?$/,
        resolve: str => parseFloat(str),
        stringify: stringifyJSON
    }
];
const jsonError = {
    default: true,
    tag: '',
    test: /^/,
    resolve(str, onError) {
        onError(`Unresolved plain scalar ${JSON.stringify(str)}`);
        return str;
    }
};
const schema = [map.map, seq.seq].concat(jsonScalars, jsonError);

exports.schema = schema;


/***/ }),

/***/ 18:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var map = __nccwpck_require__(7451);
var _null = __nccwpck_require__(3632);
var seq = __nccwpck_require__(1706);
var string = __nccwpck_require__(6464);
var bool = __nccwpck_require__(3959);
var float = __nccwpck_require__(8405);
var int = __nccwpck_require__(9874);
var schema = __nccwpck_require__(896);
var schema$1 = __nccwpck_require__(3559);
var binary = __nccwpck_require__(6083);
var merge = __nccwpck_require__(452);
var omap = __nccwpck_require__(303);
var pairs = __nccwpck_require__(8385);
var schema$2 = __nccwpck_require__(5913);
var set = __nccwpck_require__(1528);
var timestamp = __nccwpck_require__(6752);

const schemas = new Map([
    ['core', schema.schema],
    ['failsafe', [map.map, seq.seq, string.string]],
    ['json', schema$1.schema],
    ['yaml11', schema$2.schema],
    ['yaml-1.1', schema$2.schema]
]);
const tagsByName = {
    binary: binary.binary,
    bool: bool.boolTag,
    float: float.float,
    floatExp: float.floatExp,
    floatNaN: float.floatNaN,
    floatTime: timestamp.floatTime,
    int: int.int,
    intHex: int.intHex,
    intOct: int.intOct,
    intTime: timestamp.intTime,
    map: map.map,
    merge: merge.merge,
    null: _null.nullTag,
    omap: omap.omap,
    pairs: pairs.pairs,
    seq: seq.seq,
    set: set.set,
    timestamp: timestamp.timestamp
};
const coreKnownTags = {
    'tag:yaml.org,2002:binary': binary.binary,
    'tag:yaml.org,2002:merge': merge.merge,
    'tag:yaml.org,2002:omap': omap.omap,
    'tag:yaml.org,2002:pairs': pairs.pairs,
    'tag:yaml.org,2002:set': set.set,
    'tag:yaml.org,2002:timestamp': timestamp.timestamp
};
function getTags(customTags, schemaName, addMergeTag) {
    const schemaTags = schemas.get(schemaName);
    if (schemaTags && !customTags) {
        return addMergeTag && !schemaTags.includes(merge.merge)
            ? schemaTags.concat(merge.merge)
            : schemaTags.slice();
    }
    let tags = schemaTags;
    if (!tags) {
        if (Array.isArray(customTags))
            tags = [];
        else {
            const keys = Array.from(schemas.keys())
                .filter(key => key !== 'yaml11')
                .map(key => JSON.stringify(key))
                .join(', ');
            throw new Error(`Unknown schema "${schemaName}"; use one of ${keys} or define customTags array`);
        }
    }
    if (Array.isArray(customTags)) {
        for (const tag of customTags)
            tags = tags.concat(tag);
    }
    else if (typeof customTags === 'function') {
        tags = customTags(tags.slice());
    }
    if (addMergeTag)
        tags = tags.concat(merge.merge);
    return tags.reduce((tags, tag) => {
        const tagObj = typeof tag === 'string' ? tagsByName[tag] : tag;
        if (!tagObj) {
            const tagName = JSON.stringify(tag);
            const keys = Object.keys(tagsByName)
                .map(key => JSON.stringify(key))
                .join(', ');
            throw new Error(`Unknown custom tag ${tagName}; use one of ${keys}`);
        }
        if (!tags.includes(tagObj))
            tags.push(tagObj);
        return tags;
    }, []);
}

exports.coreKnownTags = coreKnownTags;
exports.getTags = getTags;


/***/ }),

/***/ 6083:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var node_buffer = __nccwpck_require__(181);
var Scalar = __nccwpck_require__(3301);
var stringifyString = __nccwpck_require__(3069);

const binary = {
    identify: value => value instanceof Uint8Array, // Buffer inherits from Uint8Array
    default: false,
    tag: 'tag:yaml.org,2002:binary',
    /**
     * Returns a Buffer in node and an Uint8Array in browsers
     *
     * To use the resulting buffer as an image, you'll want to do something like:
     *
     *   const blob = new Blob([buffer], { type: 'image/jpeg' })
     *   document.querySelector('#photo').src = URL.createObjectURL(blob)
     */
    resolve(src, onError) {
        if (typeof node_buffer.Buffer === 'function') {
            return node_buffer.Buffer.from(src, 'base64');
        }
        else if (typeof atob === 'function') {
            // On IE 11, atob() can't handle newlines
            const str = atob(src.replace(/[\n\r]/g, ''));
            const buffer = new Uint8Array(str.length);
            for (let i = 0; i < str.length; ++i)
                buffer[i] = str.charCodeAt(i);
            return buffer;
        }
        else {
            onError('This environment does not support reading binary tags; either Buffer or atob is required');
            return src;
        }
    },
    stringify({ comment, type, value }, ctx, onComment, onChompKeep) {
        if (!value)
            return '';
        const buf = value; // checked earlier by binary.identify()
        let str;
        if (typeof node_buffer.Buffer === 'function') {
            str =
                buf instanceof node_buffer.Buffer
                    ? buf.toString('base64')
                    : node_buffer.Buffer.from(buf.buffer).toString('base64');
        }
        else if (typeof btoa === 'function') {
            let s = '';
            for (let i = 0; i < buf.length; ++i)
                s += String.fromCharCode(buf[i]);
            str = btoa(s);
        }
        else {
            throw new Error('This environment does not support writing binary tags; either Buffer or btoa is required');
        }
        type ?? (type = Scalar.Scalar.BLOCK_LITERAL);
        if (type !== Scalar.Scalar.QUOTE_DOUBLE) {
            const lineWidth = Math.max(ctx.options.lineWidth - ctx.indent.length, ctx.options.minContentWidth);
            const n = Math.ceil(str.length / lineWidth);
            const lines = new Array(n);
            for (let i = 0, o = 0; i < n; ++i, o += lineWidth) {
                lines[i] = str.substr(o, lineWidth);
            }
            str = lines.join(type === Scalar.Scalar.BLOCK_LITERAL ? '\n' : ' ');
        }
        return stringifyString.stringifyString({ comment, type, value: str }, ctx, onComment, onChompKeep);
    }
};

exports.binary = binary;


/***/ }),

/***/ 8398:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Scalar = __nccwpck_require__(3301);

function boolStringify({ value, source }, ctx) {
    const boolObj = value ? trueTag : falseTag;
    if (source && boolObj.test.test(source))
        return source;
    return value ? ctx.options.trueStr : ctx.options.falseStr;
}
const trueTag = {
    identify: value => value === true,
    default: true,
    tag: 'tag:yaml.org,2002:bool',
    test: /^(?:Y|y|[Yy]es|YES|[Tt]rue|TRUE|[Oo]n|ON)$/,
    resolve: () => new Scalar.Scalar(true),
    stringify: boolStringify
};
const falseTag = {
    identify: value => value === false,
    default: true,
    tag: 'tag:yaml.org,2002:bool',
    test: /^(?:N|n|[Nn]o|NO|[Ff]alse|FALSE|[Oo]ff|OFF)$/,
    resolve: () => new Scalar.Scalar(false),
    stringify: boolStringify
};

exports.falseTag = falseTag;
exports.trueTag = trueTag;


/***/ }),

/***/ 5782:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Scalar = __nccwpck_require__(3301);
var stringifyNumber = __nccwpck_require__(8689);

const floatNaN = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    test: /^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/,
    resolve: (str) => str.slice(-3).toLowerCase() === 'nan'
        ? NaN
        : str[0] === '-'
            ? Number.NEGATIVE_INFINITY
            : Number.POSITIVE_INFINITY,
    stringify: stringifyNumber.stringifyNumber
};
const floatExp = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    format: 'EXP',
    test: /^[-+]?(?:[0-9][0-9_]*)?(?:\.[0-9_]*)?[eE][-+]?[0-9]+$/,
    resolve: (str) => parseFloat(str.replace(/_/g, '')),
    stringify(node) {
        const num = Number(node.value);
        return isFinite(num) ? num.toExponential() : stringifyNumber.stringifyNumber(node);
    }
};
const float = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    test: /^[-+]?(?:[0-9][0-9_]*)?\.[0-9_]*$/,
    resolve(str) {
        const node = new Scalar.Scalar(parseFloat(str.replace(/_/g, '')));
        const dot = str.indexOf('.');
        if (dot !== -1) {
            const f = str.substring(dot + 1).replace(/_/g, '');
            if (f[f.length - 1] === '0')
                node.minFractionDigits = f.length;
        }
        return node;
    },
    stringify: stringifyNumber.stringifyNumber
};

exports.float = float;
exports.floatExp = floatExp;
exports.floatNaN = floatNaN;


/***/ }),

/***/ 873:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var stringifyNumber = __nccwpck_require__(8689);

const intIdentify = (value) => typeof value === 'bigint' || Number.isInteger(value);
function intResolve(str, offset, radix, { intAsBigInt }) {
    const sign = str[0];
    if (sign === '-' || sign === '+')
        offset += 1;
    str = str.substring(offset).replace(/_/g, '');
    if (intAsBigInt) {
        switch (radix) {
            case 2:
                str = `0b${str}`;
                break;
            case 8:
                str = `0o${str}`;
                break;
            case 16:
                str = `0x${str}`;
                break;
        }
        const n = BigInt(str);
        return sign === '-' ? BigInt(-1) * n : n;
    }
    const n = parseInt(str, radix);
    return sign === '-' ? -1 * n : n;
}
function intStringify(node, radix, prefix) {
    const { value } = node;
    if (intIdentify(value)) {
        const str = value.toString(radix);
        return value < 0 ? '-' + prefix + str.substr(1) : prefix + str;
    }
    return stringifyNumber.stringifyNumber(node);
}
const intBin = {
    identify: intIdentify,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'BIN',
    test: /^[-+]?0b[0-1_]+$/,
    resolve: (str, _onError, opt) => intResolve(str, 2, 2, opt),
    stringify: node => intStringify(node, 2, '0b')
};
const intOct = {
    identify: intIdentify,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'OCT',
    test: /^[-+]?0[0-7_]+$/,
    resolve: (str, _onError, opt) => intResolve(str, 1, 8, opt),
    stringify: node => intStringify(node, 8, '0')
};
const int = {
    identify: intIdentify,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    test: /^[-+]?[0-9][0-9_]*$/,
    resolve: (str, _onError, opt) => intResolve(str, 0, 10, opt),
    stringify: stringifyNumber.stringifyNumber
};
const intHex = {
    identify: intIdentify,
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'HEX',
    test: /^[-+]?0x[0-9a-fA-F_]+$/,
    resolve: (str, _onError, opt) => intResolve(str, 2, 16, opt),
    stringify: node => intStringify(node, 16, '0x')
};

exports.int = int;
exports.intBin = intBin;
exports.intHex = intHex;
exports.intOct = intOct;


/***/ }),

/***/ 452:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var Scalar = __nccwpck_require__(3301);

// If the value associated with a merge key is a single mapping node, each of
// its key/value pairs is inserted into the current mapping, unless the key
// already exists in it. If the value associated with the merge key is a
// sequence, then this sequence is expected to contain mapping nodes and each
// of these nodes is merged in turn according to its order in the sequence.
// Keys in mapping nodes earlier in the sequence override keys specified in
// later mapping nodes. -- http://yaml.org/type/merge.html
const MERGE_KEY = '<<';
const merge = {
    identify: value => value === MERGE_KEY ||
        (typeof value === 'symbol' && value.description === MERGE_KEY),
    default: 'key',
    tag: 'tag:yaml.org,2002:merge',
    test: /^<<$/,
    resolve: () => Object.assign(new Scalar.Scalar(Symbol(MERGE_KEY)), {
        addToJSMap: addMergeToJSMap
    }),
    stringify: () => MERGE_KEY
};
const isMergeKey = (ctx, key) => (merge.identify(key) ||
    (identity.isScalar(key) &&
        (!key.type || key.type === Scalar.Scalar.PLAIN) &&
        merge.identify(key.value))) &&
    ctx?.doc.schema.tags.some(tag => tag.tag === merge.tag && tag.default);
function addMergeToJSMap(ctx, map, value) {
    const source = resolveAliasValue(ctx, value);
    if (identity.isSeq(source))
        for (const it of source.items)
            mergeValue(ctx, map, it);
    else if (Array.isArray(source))
        for (const it of source)
            mergeValue(ctx, map, it);
    else
        mergeValue(ctx, map, source);
}
function mergeValue(ctx, map, value) {
    const source = resolveAliasValue(ctx, value);
    if (!identity.isMap(source))
        throw new Error('Merge sources must be maps or map aliases');
    const srcMap = source.toJSON(null, ctx, Map);
    for (const [key, value] of srcMap) {
        if (map instanceof Map) {
            if (!map.has(key))
                map.set(key, value);
        }
        else if (map instanceof Set) {
            map.add(key);
        }
        else if (!Object.prototype.hasOwnProperty.call(map, key)) {
            Object.defineProperty(map, key, {
                value,
                writable: true,
                enumerable: true,
                configurable: true
            });
        }
    }
    return map;
}
function resolveAliasValue(ctx, value) {
    return ctx && identity.isAlias(value) ? value.resolve(ctx.doc, ctx) : value;
}

exports.addMergeToJSMap = addMergeToJSMap;
exports.isMergeKey = isMergeKey;
exports.merge = merge;


/***/ }),

/***/ 303:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var toJS = __nccwpck_require__(4043);
var YAMLMap = __nccwpck_require__(4454);
var YAMLSeq = __nccwpck_require__(2223);
var pairs = __nccwpck_require__(8385);

class YAMLOMap extends YAMLSeq.YAMLSeq {
    constructor() {
        super();
        this.add = YAMLMap.YAMLMap.prototype.add.bind(this);
        this.delete = YAMLMap.YAMLMap.prototype.delete.bind(this);
        this.get = YAMLMap.YAMLMap.prototype.get.bind(this);
        this.has = YAMLMap.YAMLMap.prototype.has.bind(this);
        this.set = YAMLMap.YAMLMap.prototype.set.bind(this);
        this.tag = YAMLOMap.tag;
    }
    /**
     * If `ctx` is given, the return type is actually `Map<unknown, unknown>`,
     * but TypeScript won't allow widening the signature of a child method.
     */
    toJSON(_, ctx) {
        if (!ctx)
            return super.toJSON(_);
        const map = new Map();
        if (ctx?.onCreate)
            ctx.onCreate(map);
        for (const pair of this.items) {
            let key, value;
            if (identity.isPair(pair)) {
                key = toJS.toJS(pair.key, '', ctx);
                value = toJS.toJS(pair.value, key, ctx);
            }
            else {
                key = toJS.toJS(pair, '', ctx);
            }
            if (map.has(key))
                throw new Error('Ordered maps must not include duplicate keys');
            map.set(key, value);
        }
        return map;
    }
    static from(schema, iterable, ctx) {
        const pairs$1 = pairs.createPairs(schema, iterable, ctx);
        const omap = new this();
        omap.items = pairs$1.items;
        return omap;
    }
}
YAMLOMap.tag = 'tag:yaml.org,2002:omap';
const omap = {
    collection: 'seq',
    identify: value => value instanceof Map,
    nodeClass: YAMLOMap,
    default: false,
    tag: 'tag:yaml.org,2002:omap',
    resolve(seq, onError) {
        const pairs$1 = pairs.resolvePairs(seq, onError);
        const seenKeys = [];
        for (const { key } of pairs$1.items) {
            if (identity.isScalar(key)) {
                if (seenKeys.includes(key.value)) {
                    onError(`Ordered maps must not include duplicate keys: ${key.value}`);
                }
                else {
                    seenKeys.push(key.value);
                }
            }
        }
        return Object.assign(new YAMLOMap(), pairs$1);
    },
    createNode: (schema, iterable, ctx) => YAMLOMap.from(schema, iterable, ctx)
};

exports.YAMLOMap = YAMLOMap;
exports.omap = omap;


/***/ }),

/***/ 8385:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var Pair = __nccwpck_require__(7165);
var Scalar = __nccwpck_require__(3301);
var YAMLSeq = __nccwpck_require__(2223);

function resolvePairs(seq, onError) {
    if (identity.isSeq(seq)) {
        for (let i = 0; i < seq.items.length; ++i) {
            let item = seq.items[i];
            if (identity.isPair(item))
                continue;
            else if (identity.isMap(item)) {
                if (item.items.length > 1)
                    onError('Each pair must have its own sequence indicator');
                const pair = item.items[0] || new Pair.Pair(new Scalar.Scalar(null));
                if (item.commentBefore)
                    pair.key.commentBefore = pair.key.commentBefore
                        ? `${item.commentBefore}\n${pair.key.commentBefore}`
                        : item.commentBefore;
                if (item.comment) {
                    const cn = pair.value ?? pair.key;
                    cn.comment = cn.comment
                        ? `${item.comment}\n${cn.comment}`
                        : item.comment;
                }
                item = pair;
            }
            seq.items[i] = identity.isPair(item) ? item : new Pair.Pair(item);
        }
    }
    else
        onError('Expected a sequence for this tag');
    return seq;
}
function createPairs(schema, iterable, ctx) {
    const { replacer } = ctx;
    const pairs = new YAMLSeq.YAMLSeq(schema);
    pairs.tag = 'tag:yaml.org,2002:pairs';
    let i = 0;
    if (iterable && Symbol.iterator in Object(iterable))
        for (let it of iterable) {
            if (typeof replacer === 'function')
                it = replacer.call(iterable, String(i++), it);
            let key, value;
            if (Array.isArray(it)) {
                if (it.length === 2) {
                    key = it[0];
                    value = it[1];
                }
                else
                    throw new TypeError(`Expected [key, value] tuple: ${it}`);
            }
            else if (it && it instanceof Object) {
                const keys = Object.keys(it);
                if (keys.length === 1) {
                    key = keys[0];
                    value = it[key];
                }
                else {
                    throw new TypeError(`Expected tuple with one key, not ${keys.length} keys`);
                }
            }
            else {
                key = it;
            }
            pairs.items.push(Pair.createPair(key, value, ctx));
        }
    return pairs;
}
const pairs = {
    collection: 'seq',
    default: false,
    tag: 'tag:yaml.org,2002:pairs',
    resolve: resolvePairs,
    createNode: createPairs
};

exports.createPairs = createPairs;
exports.pairs = pairs;
exports.resolvePairs = resolvePairs;


/***/ }),

/***/ 5913:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var map = __nccwpck_require__(7451);
var _null = __nccwpck_require__(3632);
var seq = __nccwpck_require__(1706);
var string = __nccwpck_require__(6464);
var binary = __nccwpck_require__(6083);
var bool = __nccwpck_require__(8398);
var float = __nccwpck_require__(5782);
var int = __nccwpck_require__(873);
var merge = __nccwpck_require__(452);
var omap = __nccwpck_require__(303);
var pairs = __nccwpck_require__(8385);
var set = __nccwpck_require__(1528);
var timestamp = __nccwpck_require__(6752);

const schema = [
    map.map,
    seq.seq,
    string.string,
    _null.nullTag,
    bool.trueTag,
    bool.falseTag,
    int.intBin,
    int.intOct,
    int.int,
    int.intHex,
    float.floatNaN,
    float.floatExp,
    float.float,
    binary.binary,
    merge.merge,
    omap.omap,
    pairs.pairs,
    set.set,
    timestamp.intTime,
    timestamp.floatTime,
    timestamp.timestamp
];

exports.schema = schema;


/***/ }),

/***/ 1528:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var Pair = __nccwpck_require__(7165);
var YAMLMap = __nccwpck_require__(4454);

class YAMLSet extends YAMLMap.YAMLMap {
    constructor(schema) {
        super(schema);
        this.tag = YAMLSet.tag;
    }
    add(key) {
        let pair;
        if (identity.isPair(key))
            pair = key;
        else if (key &&
            typeof key === 'object' &&
            'key' in key &&
            'value' in key &&
            key.value === null)
            pair = new Pair.Pair(key.key, null);
        else
            pair = new Pair.Pair(key, null);
        const prev = YAMLMap.findPair(this.items, pair.key);
        if (!prev)
            this.items.push(pair);
    }
    /**
     * If `keepPair` is `true`, returns the Pair matching `key`.
     * Otherwise, returns the value of that Pair's key.
     */
    get(key, keepPair) {
        const pair = YAMLMap.findPair(this.items, key);
        return !keepPair && identity.isPair(pair)
            ? identity.isScalar(pair.key)
                ? pair.key.value
                : pair.key
            : pair;
    }
    set(key, value) {
        if (typeof value !== 'boolean')
            throw new Error(`Expected boolean value for set(key, value) in a YAML set, not ${typeof value}`);
        const prev = YAMLMap.findPair(this.items, key);
        if (prev && !value) {
            this.items.splice(this.items.indexOf(prev), 1);
        }
        else if (!prev && value) {
            this.items.push(new Pair.Pair(key));
        }
    }
    toJSON(_, ctx) {
        return super.toJSON(_, ctx, Set);
    }
    toString(ctx, onComment, onChompKeep) {
        if (!ctx)
            return JSON.stringify(this);
        if (this.hasAllNullValues(true))
            return super.toString(Object.assign({}, ctx, { allNullValues: true }), onComment, onChompKeep);
        else
            throw new Error('Set items must all have null values');
    }
    static from(schema, iterable, ctx) {
        const { replacer } = ctx;
        const set = new this(schema);
        if (iterable && Symbol.iterator in Object(iterable))
            for (let value of iterable) {
                if (typeof replacer === 'function')
                    value = replacer.call(iterable, value, value);
                set.items.push(Pair.createPair(value, null, ctx));
            }
        return set;
    }
}
YAMLSet.tag = 'tag:yaml.org,2002:set';
const set = {
    collection: 'map',
    identify: value => value instanceof Set,
    nodeClass: YAMLSet,
    default: false,
    tag: 'tag:yaml.org,2002:set',
    createNode: (schema, iterable, ctx) => YAMLSet.from(schema, iterable, ctx),
    resolve(map, onError) {
        if (identity.isMap(map)) {
            if (map.hasAllNullValues(true))
                return Object.assign(new YAMLSet(), map);
            else
                onError('Set items must all have null values');
        }
        else
            onError('Expected a mapping for this tag');
        return map;
    }
};

exports.YAMLSet = YAMLSet;
exports.set = set;


/***/ }),

/***/ 6752:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var stringifyNumber = __nccwpck_require__(8689);

/** Internal types handle bigint as number, because TS can't figure it out. */
function parseSexagesimal(str, asBigInt) {
    const sign = str[0];
    const parts = sign === '-' || sign === '+' ? str.substring(1) : str;
    const num = (n) => asBigInt ? BigInt(n) : Number(n);
    const res = parts
        .replace(/_/g, '')
        .split(':')
        .reduce((res, p) => res * num(60) + num(p), num(0));
    return (sign === '-' ? num(-1) * res : res);
}
/**
 * hhhh:mm:ss.sss
 *
 * Internal types handle bigint as number, because TS can't figure it out.
 */
function stringifySexagesimal(node) {
    let { value } = node;
    let num = (n) => n;
    if (typeof value === 'bigint')
        num = n => BigInt(n);
    else if (isNaN(value) || !isFinite(value))
        return stringifyNumber.stringifyNumber(node);
    let sign = '';
    if (value < 0) {
        sign = '-';
        value *= num(-1);
    }
    const _60 = num(60);
    const parts = [value % _60]; // seconds, including ms
    if (value < 60) {
        parts.unshift(0); // at least one : is required
    }
    else {
        value = (value - parts[0]) / _60;
        parts.unshift(value % _60); // minutes
        if (value >= 60) {
            value = (value - parts[0]) / _60;
            parts.unshift(value); // hours
        }
    }
    return (sign +
        parts
            .map(n => String(n).padStart(2, '0'))
            .join(':')
            .replace(/000000\d*$/, '') // % 60 may introduce error
    );
}
const intTime = {
    identify: value => typeof value === 'bigint' || Number.isInteger(value),
    default: true,
    tag: 'tag:yaml.org,2002:int',
    format: 'TIME',
    test: /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+$/,
    resolve: (str, _onError, { intAsBigInt }) => parseSexagesimal(str, intAsBigInt),
    stringify: stringifySexagesimal
};
const floatTime = {
    identify: value => typeof value === 'number',
    default: true,
    tag: 'tag:yaml.org,2002:float',
    format: 'TIME',
    test: /^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+\.[0-9_]*$/,
    resolve: str => parseSexagesimal(str, false),
    stringify: stringifySexagesimal
};
const timestamp = {
    identify: value => value instanceof Date,
    default: true,
    tag: 'tag:yaml.org,2002:timestamp',
    // If the time zone is omitted, the timestamp is assumed to be specified in UTC. The time part
    // may be omitted altogether, resulting in a date format. In such a case, the time part is
    // assumed to be 00:00:00Z (start of day, UTC).
    test: RegExp('^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})' + // YYYY-Mm-Dd
        '(?:' + // time is optional
        '(?:t|T|[ \\t]+)' + // t | T | whitespace
        '([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2}(\\.[0-9]+)?)' + // Hh:Mm:Ss(.ss)?
        '(?:[ \\t]*(Z|[-+][012]?[0-9](?::[0-9]{2})?))?' + // Z | +5 | -03:30
        ')?$'),
    resolve(str) {
        const match = str.match(timestamp.test);
        if (!match)
            throw new Error('!!timestamp expects a date, starting with yyyy-mm-dd');
        const [, year, month, day, hour, minute, second] = match.map(Number);
        const millisec = match[7] ? Number((match[7] + '00').substr(1, 3)) : 0;
        let date = Date.UTC(year, month - 1, day, hour || 0, minute || 0, second || 0, millisec);
        const tz = match[8];
        if (tz && tz !== 'Z') {
            let d = parseSexagesimal(tz, false);
            if (Math.abs(d) < 30)
                d *= 60;
            date -= 60000 * d;
        }
        return new Date(date);
    },
    stringify: ({ value }) => value?.toISOString().replace(/(T00:00:00)?\.000Z$/, '') ?? ''
};

exports.floatTime = floatTime;
exports.intTime = intTime;
exports.timestamp = timestamp;


/***/ }),

/***/ 4475:
/***/ ((__unused_webpack_module, exports) => {



const FOLD_FLOW = 'flow';
const FOLD_BLOCK = 'block';
const FOLD_QUOTED = 'quoted';
/**
 * Tries to keep input at up to `lineWidth` characters, splitting only on spaces
 * not followed by newlines or spaces unless `mode` is `'quoted'`. Lines are
 * terminated with `\n` and started with `indent`.
 */
function foldFlowLines(text, indent, mode = 'flow', { indentAtStart, lineWidth = 80, minContentWidth = 20, onFold, onOverflow } = {}) {
    if (!lineWidth || lineWidth < 0)
        return text;
    if (lineWidth < minContentWidth)
        minContentWidth = 0;
    const endStep = Math.max(1 + minContentWidth, 1 + lineWidth - indent.length);
    if (text.length <= endStep)
        return text;
    const folds = [];
    const escapedFolds = {};
    let end = lineWidth - indent.length;
    if (typeof indentAtStart === 'number') {
        if (indentAtStart > lineWidth - Math.max(2, minContentWidth))
            folds.push(0);
        else
            end = lineWidth - indentAtStart;
    }
    let split = undefined;
    let prev = undefined;
    let overflow = false;
    let i = -1;
    let escStart = -1;
    let escEnd = -1;
    if (mode === FOLD_BLOCK) {
        i = consumeMoreIndentedLines(text, i, indent.length);
        if (i !== -1)
            end = i + endStep;
    }
    for (let ch; (ch = text[(i += 1)]);) {
        if (mode === FOLD_QUOTED && ch === '\\') {
            escStart = i;
            switch (text[i + 1]) {
                case 'x':
                    i += 3;
                    break;
                case 'u':
                    i += 5;
                    break;
                case 'U':
                    i += 9;
                    break;
                default:
                    i += 1;
            }
            escEnd = i;
        }
        if (ch === '\n') {
            if (mode === FOLD_BLOCK)
                i = consumeMoreIndentedLines(text, i, indent.length);
            end = i + indent.length + endStep;
            split = undefined;
        }
        else {
            if (ch === ' ' &&
                prev &&
                prev !== ' ' &&
                prev !== '\n' &&
                prev !== '\t') {
                // space surrounded by non-space can be replaced with newline + indent
                const next = text[i + 1];
                if (next && next !== ' ' && next !== '\n' && next !== '\t')
                    split = i;
            }
            if (i >= end) {
                if (split) {
                    folds.push(split);
                    end = split + endStep;
                    split = undefined;
                }
                else if (mode === FOLD_QUOTED) {
                    // white-space collected at end may stretch past lineWidth
                    while (prev === ' ' || prev === '\t') {
                        prev = ch;
                        ch = text[(i += 1)];
                        overflow = true;
                    }
                    // Account for newline escape, but don't break preceding escape
                    const j = i > escEnd + 1 ? i - 2 : escStart - 1;
                    // Bail out if lineWidth & minContentWidth are shorter than an escape string
                    if (escapedFolds[j])
                        return text;
                    folds.push(j);
                    escapedFolds[j] = true;
                    end = j + endStep;
                    split = undefined;
                }
                else {
                    overflow = true;
                }
            }
        }
        prev = ch;
    }
    if (overflow && onOverflow)
        onOverflow();
    if (folds.length === 0)
        return text;
    if (onFold)
        onFold();
    let res = text.slice(0, folds[0]);
    for (let i = 0; i < folds.length; ++i) {
        const fold = folds[i];
        const end = folds[i + 1] || text.length;
        if (fold === 0)
            res = `\n${indent}${text.slice(0, end)}`;
        else {
            if (mode === FOLD_QUOTED && escapedFolds[fold])
                res += `${text[fold]}\\`;
            res += `\n${indent}${text.slice(fold + 1, end)}`;
        }
    }
    return res;
}
/**
 * Presumes `i + 1` is at the start of a line
 * @returns index of last newline in more-indented block
 */
function consumeMoreIndentedLines(text, i, indent) {
    let end = i;
    let start = i + 1;
    let ch = text[start];
    while (ch === ' ' || ch === '\t') {
        if (i < start + indent) {
            ch = text[++i];
        }
        else {
            do {
                ch = text[++i];
            } while (ch && ch !== '\n');
            end = i;
            start = i + 1;
            ch = text[start];
        }
    }
    return end;
}

exports.FOLD_BLOCK = FOLD_BLOCK;
exports.FOLD_FLOW = FOLD_FLOW;
exports.FOLD_QUOTED = FOLD_QUOTED;
exports.foldFlowLines = foldFlowLines;


/***/ }),

/***/ 2148:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var anchors = __nccwpck_require__(1596);
var identity = __nccwpck_require__(1127);
var stringifyComment = __nccwpck_require__(9799);
var stringifyString = __nccwpck_require__(3069);

function createStringifyContext(doc, options) {
    const opt = Object.assign({
        blockQuote: true,
        commentString: stringifyComment.stringifyComment,
        defaultKeyType: null,
        defaultStringType: 'PLAIN',
        directives: null,
        doubleQuotedAsJSON: false,
        doubleQuotedMinMultiLineLength: 40,
        falseStr: 'false',
        flowCollectionPadding: true,
        indentSeq: true,
        lineWidth: 80,
        minContentWidth: 20,
        nullStr: 'null',
        simpleKeys: false,
        singleQuote: null,
        trailingComma: false,
        trueStr: 'true',
        verifyAliasOrder: true
    }, doc.schema.toStringOptions, options);
    let inFlow;
    switch (opt.collectionStyle) {
        case 'block':
            inFlow = false;
            break;
        case 'flow':
            inFlow = true;
            break;
        default:
            inFlow = null;
    }
    return {
        anchors: new Set(),
        doc,
        flowCollectionPadding: opt.flowCollectionPadding ? ' ' : '',
        indent: '',
        indentStep: typeof opt.indent === 'number' ? ' '.repeat(opt.indent) : '  ',
        inFlow,
        options: opt
    };
}
function getTagObject(tags, item) {
    if (item.tag) {
        const match = tags.filter(t => t.tag === item.tag);
        if (match.length > 0)
            return match.find(t => t.format === item.format) ?? match[0];
    }
    let tagObj = undefined;
    let obj;
    if (identity.isScalar(item)) {
        obj = item.value;
        let match = tags.filter(t => t.identify?.(obj));
        if (match.length > 1) {
            const testMatch = match.filter(t => t.test);
            if (testMatch.length > 0)
                match = testMatch;
        }
        tagObj =
            match.find(t => t.format === item.format) ?? match.find(t => !t.format);
    }
    else {
        obj = item;
        tagObj = tags.find(t => t.nodeClass && obj instanceof t.nodeClass);
    }
    if (!tagObj) {
        const name = obj?.constructor?.name ?? (obj === null ? 'null' : typeof obj);
        throw new Error(`Tag not resolved for ${name} value`);
    }
    return tagObj;
}
// needs to be called before value stringifier to allow for circular anchor refs
function stringifyProps(node, tagObj, { anchors: anchors$1, doc }) {
    if (!doc.directives)
        return '';
    const props = [];
    const anchor = (identity.isScalar(node) || identity.isCollection(node)) && node.anchor;
    if (anchor && anchors.anchorIsValid(anchor)) {
        anchors$1.add(anchor);
        props.push(`&${anchor}`);
    }
    const tag = node.tag ?? (tagObj.default ? null : tagObj.tag);
    if (tag)
        props.push(doc.directives.tagString(tag));
    return props.join(' ');
}
function stringify(item, ctx, onComment, onChompKeep) {
    if (identity.isPair(item))
        return item.toString(ctx, onComment, onChompKeep);
    if (identity.isAlias(item)) {
        if (ctx.doc.directives)
            return item.toString(ctx);
        if (ctx.resolvedAliases?.has(item)) {
            throw new TypeError(`Cannot stringify circular structure without alias nodes`);
        }
        else {
            if (ctx.resolvedAliases)
                ctx.resolvedAliases.add(item);
            else
                ctx.resolvedAliases = new Set([item]);
            item = item.resolve(ctx.doc);
        }
    }
    let tagObj = undefined;
    const node = identity.isNode(item)
        ? item
        : ctx.doc.createNode(item, { onTagObj: o => (tagObj = o) });
    tagObj ?? (tagObj = getTagObject(ctx.doc.schema.tags, node));
    const props = stringifyProps(node, tagObj, ctx);
    if (props.length > 0)
        ctx.indentAtStart = (ctx.indentAtStart ?? 0) + props.length + 1;
    const str = typeof tagObj.stringify === 'function'
        ? tagObj.stringify(node, ctx, onComment, onChompKeep)
        : identity.isScalar(node)
            ? stringifyString.stringifyString(node, ctx, onComment, onChompKeep)
            : node.toString(ctx, onComment, onChompKeep);
    if (!props)
        return str;
    return identity.isScalar(node) || str[0] === '{' || str[0] === '['
        ? `${props} ${str}`
        : `${props}\n${ctx.indent}${str}`;
}

exports.createStringifyContext = createStringifyContext;
exports.stringify = stringify;


/***/ }),

/***/ 1212:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var stringify = __nccwpck_require__(2148);
var stringifyComment = __nccwpck_require__(9799);

function stringifyCollection(collection, ctx, options) {
    const flow = ctx.inFlow ?? collection.flow;
    const stringify = flow ? stringifyFlowCollection : stringifyBlockCollection;
    return stringify(collection, ctx, options);
}
function stringifyBlockCollection({ comment, items }, ctx, { blockItemPrefix, flowChars, itemIndent, onChompKeep, onComment }) {
    const { indent, options: { commentString } } = ctx;
    const itemCtx = Object.assign({}, ctx, { indent: itemIndent, type: null });
    let chompKeep = false; // flag for the preceding node's status
    const lines = [];
    for (let i = 0; i < items.length; ++i) {
        const item = items[i];
        let comment = null;
        if (identity.isNode(item)) {
            if (!chompKeep && item.spaceBefore)
                lines.push('');
            addCommentBefore(ctx, lines, item.commentBefore, chompKeep);
            if (item.comment)
                comment = item.comment;
        }
        else if (identity.isPair(item)) {
            const ik = identity.isNode(item.key) ? item.key : null;
            if (ik) {
                if (!chompKeep && ik.spaceBefore)
                    lines.push('');
                addCommentBefore(ctx, lines, ik.commentBefore, chompKeep);
            }
        }
        chompKeep = false;
        let str = stringify.stringify(item, itemCtx, () => (comment = null), () => (chompKeep = true));
        if (comment)
            str += stringifyComment.lineComment(str, itemIndent, commentString(comment));
        if (chompKeep && comment)
            chompKeep = false;
        lines.push(blockItemPrefix + str);
    }
    let str;
    if (lines.length === 0) {
        str = flowChars.start + flowChars.end;
    }
    else {
        str = lines[0];
        for (let i = 1; i < lines.length; ++i) {
            const line = lines[i];
            str += line ? `\n${indent}${line}` : '\n';
        }
    }
    if (comment) {
        str += '\n' + stringifyComment.indentComment(commentString(comment), indent);
        if (onComment)
            onComment();
    }
    else if (chompKeep && onChompKeep)
        onChompKeep();
    return str;
}
function stringifyFlowCollection({ items }, ctx, { flowChars, itemIndent }) {
    const { indent, indentStep, flowCollectionPadding: fcPadding, options: { commentString } } = ctx;
    itemIndent += indentStep;
    const itemCtx = Object.assign({}, ctx, {
        indent: itemIndent,
        inFlow: true,
        type: null
    });
    let reqNewline = false;
    let linesAtValue = 0;
    const lines = [];
    for (let i = 0; i < items.length; ++i) {
        const item = items[i];
        let comment = null;
        if (identity.isNode(item)) {
            if (item.spaceBefore)
                lines.push('');
            addCommentBefore(ctx, lines, item.commentBefore, false);
            if (item.comment)
                comment = item.comment;
        }
        else if (identity.isPair(item)) {
            const ik = identity.isNode(item.key) ? item.key : null;
            if (ik) {
                if (ik.spaceBefore)
                    lines.push('');
                addCommentBefore(ctx, lines, ik.commentBefore, false);
                if (ik.comment)
                    reqNewline = true;
            }
            const iv = identity.isNode(item.value) ? item.value : null;
            if (iv) {
                if (iv.comment)
                    comment = iv.comment;
                if (iv.commentBefore)
                    reqNewline = true;
            }
            else if (item.value == null && ik?.comment) {
                comment = ik.comment;
            }
        }
        if (comment)
            reqNewline = true;
        let str = stringify.stringify(item, itemCtx, () => (comment = null));
        reqNewline || (reqNewline = lines.length > linesAtValue || str.includes('\n'));
        if (i < items.length - 1) {
            str += ',';
        }
        else if (ctx.options.trailingComma) {
            if (ctx.options.lineWidth > 0) {
                reqNewline || (reqNewline = lines.reduce((sum, line) => sum + line.length + 2, 2) +
                    (str.length + 2) >
                    ctx.options.lineWidth);
            }
            if (reqNewline) {
                str += ',';
            }
        }
        if (comment)
            str += stringifyComment.lineComment(str, itemIndent, commentString(comment));
        lines.push(str);
        linesAtValue = lines.length;
    }
    const { start, end } = flowChars;
    if (lines.length === 0) {
        return start + end;
    }
    else {
        if (!reqNewline) {
            const len = lines.reduce((sum, line) => sum + line.length + 2, 2);
            reqNewline = ctx.options.lineWidth > 0 && len > ctx.options.lineWidth;
        }
        if (reqNewline) {
            let str = start;
            for (const line of lines)
                str += line ? `\n${indentStep}${indent}${line}` : '\n';
            return `${str}\n${indent}${end}`;
        }
        else {
            return `${start}${fcPadding}${lines.join(' ')}${fcPadding}${end}`;
        }
    }
}
function addCommentBefore({ indent, options: { commentString } }, lines, comment, chompKeep) {
    if (comment && chompKeep)
        comment = comment.replace(/^\n+/, '');
    if (comment) {
        const ic = stringifyComment.indentComment(commentString(comment), indent);
        lines.push(ic.trimStart()); // Avoid double indent on first line
    }
}

exports.stringifyCollection = stringifyCollection;


/***/ }),

/***/ 9799:
/***/ ((__unused_webpack_module, exports) => {



/**
 * Stringifies a comment.
 *
 * Empty comment lines are left empty,
 * lines consisting of a single space are replaced by `#`,
 * and all other lines are prefixed with a `#`.
 */
const stringifyComment = (str) => str.replace(/^(?!$)(?: $)?/gm, '#');
function indentComment(comment, indent) {
    if (/^\n+$/.test(comment))
        return comment.substring(1);
    return indent ? comment.replace(/^(?! *$)/gm, indent) : comment;
}
const lineComment = (str, indent, comment) => str.endsWith('\n')
    ? indentComment(comment, indent)
    : comment.includes('\n')
        ? '\n' + indentComment(comment, indent)
        : (str.endsWith(' ') ? '' : ' ') + comment;

exports.indentComment = indentComment;
exports.lineComment = lineComment;
exports.stringifyComment = stringifyComment;


/***/ }),

/***/ 6829:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var stringify = __nccwpck_require__(2148);
var stringifyComment = __nccwpck_require__(9799);

function stringifyDocument(doc, options) {
    const lines = [];
    let hasDirectives = options.directives === true;
    if (options.directives !== false && doc.directives) {
        const dir = doc.directives.toString(doc);
        if (dir) {
            lines.push(dir);
            hasDirectives = true;
        }
        else if (doc.directives.docStart)
            hasDirectives = true;
    }
    if (hasDirectives)
        lines.push('---');
    const ctx = stringify.createStringifyContext(doc, options);
    const { commentString } = ctx.options;
    if (doc.commentBefore) {
        if (lines.length !== 1)
            lines.unshift('');
        const cs = commentString(doc.commentBefore);
        lines.unshift(stringifyComment.indentComment(cs, ''));
    }
    let chompKeep = false;
    let contentComment = null;
    if (doc.contents) {
        if (identity.isNode(doc.contents)) {
            if (doc.contents.spaceBefore && hasDirectives)
                lines.push('');
            if (doc.contents.commentBefore) {
                const cs = commentString(doc.contents.commentBefore);
                lines.push(stringifyComment.indentComment(cs, ''));
            }
            // top-level block scalars need to be indented if followed by a comment
            ctx.forceBlockIndent = !!doc.comment;
            contentComment = doc.contents.comment;
        }
        const onChompKeep = contentComment ? undefined : () => (chompKeep = true);
        let body = stringify.stringify(doc.contents, ctx, () => (contentComment = null), onChompKeep);
        if (contentComment)
            body += stringifyComment.lineComment(body, '', commentString(contentComment));
        if ((body[0] === '|' || body[0] === '>') &&
            lines[lines.length - 1] === '---') {
            // Top-level block scalars with a preceding doc marker ought to use the
            // same line for their header.
            lines[lines.length - 1] = `--- ${body}`;
        }
        else
            lines.push(body);
    }
    else {
        lines.push(stringify.stringify(doc.contents, ctx));
    }
    if (doc.directives?.docEnd) {
        if (doc.comment) {
            const cs = commentString(doc.comment);
            if (cs.includes('\n')) {
                lines.push('...');
                lines.push(stringifyComment.indentComment(cs, ''));
            }
            else {
                lines.push(`... ${cs}`);
            }
        }
        else {
            lines.push('...');
        }
    }
    else {
        let dc = doc.comment;
        if (dc && chompKeep)
            dc = dc.replace(/^\n+/, '');
        if (dc) {
            if ((!chompKeep || contentComment) && lines[lines.length - 1] !== '')
                lines.push('');
            lines.push(stringifyComment.indentComment(commentString(dc), ''));
        }
    }
    return lines.join('\n') + '\n';
}

exports.stringifyDocument = stringifyDocument;


/***/ }),

/***/ 8689:
/***/ ((__unused_webpack_module, exports) => {



function stringifyNumber({ format, minFractionDigits, tag, value }) {
    if (typeof value === 'bigint')
        return String(value);
    const num = typeof value === 'number' ? value : Number(value);
    if (!isFinite(num))
        return isNaN(num) ? '.nan' : num < 0 ? '-.inf' : '.inf';
    let n = Object.is(value, -0) ? '-0' : JSON.stringify(value);
    if (!format &&
        minFractionDigits &&
        (!tag || tag === 'tag:yaml.org,2002:float') &&
        /^-?\d/.test(n) &&
        !n.includes('e')) {
        let i = n.indexOf('.');
        if (i < 0) {
            i = n.length;
            n += '.';
        }
        let d = minFractionDigits - (n.length - i - 1);
        while (d-- > 0)
            n += '0';
    }
    return n;
}

exports.stringifyNumber = stringifyNumber;


/***/ }),

/***/ 9748:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);
var Scalar = __nccwpck_require__(3301);
var stringify = __nccwpck_require__(2148);
var stringifyComment = __nccwpck_require__(9799);

function stringifyPair({ key, value }, ctx, onComment, onChompKeep) {
    const { allNullValues, doc, indent, indentStep, options: { commentString, indentSeq, simpleKeys } } = ctx;
    let keyComment = (identity.isNode(key) && key.comment) || null;
    if (simpleKeys) {
        if (keyComment) {
            throw new Error('With simple keys, key nodes cannot have comments');
        }
        if (identity.isCollection(key) || (!identity.isNode(key) && typeof key === 'object')) {
            const msg = 'With simple keys, collection cannot be used as a key value';
            throw new Error(msg);
        }
    }
    let explicitKey = !simpleKeys &&
        (!key ||
            (keyComment && value == null && !ctx.inFlow) ||
            identity.isCollection(key) ||
            (identity.isScalar(key)
                ? key.type === Scalar.Scalar.BLOCK_FOLDED || key.type === Scalar.Scalar.BLOCK_LITERAL
                : typeof key === 'object'));
    ctx = Object.assign({}, ctx, {
        allNullValues: false,
        implicitKey: !explicitKey && (simpleKeys || !allNullValues),
        indent: indent + indentStep
    });
    let keyCommentDone = false;
    let chompKeep = false;
    let str = stringify.stringify(key, ctx, () => (keyCommentDone = true), () => (chompKeep = true));
    if (!explicitKey && !ctx.inFlow && str.length > 1024) {
        if (simpleKeys)
            throw new Error('With simple keys, single line scalar must not span more than 1024 characters');
        explicitKey = true;
    }
    if (ctx.inFlow) {
        if (allNullValues || value == null) {
            if (keyCommentDone && onComment)
                onComment();
            return str === '' ? '?' : explicitKey ? `? ${str}` : str;
        }
    }
    else if ((allNullValues && !simpleKeys) || (value == null && explicitKey)) {
        str = `? ${str}`;
        if (keyComment && !keyCommentDone) {
            str += stringifyComment.lineComment(str, ctx.indent, commentString(keyComment));
        }
        else if (chompKeep && onChompKeep)
            onChompKeep();
        return str;
    }
    if (keyCommentDone)
        keyComment = null;
    if (explicitKey) {
        if (keyComment)
            str += stringifyComment.lineComment(str, ctx.indent, commentString(keyComment));
        str = `? ${str}\n${indent}:`;
    }
    else {
        str = `${str}:`;
        if (keyComment)
            str += stringifyComment.lineComment(str, ctx.indent, commentString(keyComment));
    }
    let vsb, vcb, valueComment;
    if (identity.isNode(value)) {
        vsb = !!value.spaceBefore;
        vcb = value.commentBefore;
        valueComment = value.comment;
    }
    else {
        vsb = false;
        vcb = null;
        valueComment = null;
        if (value && typeof value === 'object')
            value = doc.createNode(value);
    }
    ctx.implicitKey = false;
    if (!explicitKey && !keyComment && identity.isScalar(value))
        ctx.indentAtStart = str.length + 1;
    chompKeep = false;
    if (!indentSeq &&
        indentStep.length >= 2 &&
        !ctx.inFlow &&
        !explicitKey &&
        identity.isSeq(value) &&
        !value.flow &&
        !value.tag &&
        !value.anchor) {
        // If indentSeq === false, consider '- ' as part of indentation where possible
        ctx.indent = ctx.indent.substring(2);
    }
    let valueCommentDone = false;
    const valueStr = stringify.stringify(value, ctx, () => (valueCommentDone = true), () => (chompKeep = true));
    let ws = ' ';
    if (keyComment || vsb || vcb) {
        ws = vsb ? '\n' : '';
        if (vcb) {
            const cs = commentString(vcb);
            ws += `\n${stringifyComment.indentComment(cs, ctx.indent)}`;
        }
        if (valueStr === '' && !ctx.inFlow) {
            if (ws === '\n' && valueComment)
                ws = '\n\n';
        }
        else {
            ws += `\n${ctx.indent}`;
        }
    }
    else if (!explicitKey && identity.isCollection(value)) {
        const vs0 = valueStr[0];
        const nl0 = valueStr.indexOf('\n');
        const hasNewline = nl0 !== -1;
        const flow = ctx.inFlow ?? value.flow ?? value.items.length === 0;
        if (hasNewline || !flow) {
            let hasPropsLine = false;
            if (hasNewline && (vs0 === '&' || vs0 === '!')) {
                let sp0 = valueStr.indexOf(' ');
                if (vs0 === '&' &&
                    sp0 !== -1 &&
                    sp0 < nl0 &&
                    valueStr[sp0 + 1] === '!') {
                    sp0 = valueStr.indexOf(' ', sp0 + 1);
                }
                if (sp0 === -1 || nl0 < sp0)
                    hasPropsLine = true;
            }
            if (!hasPropsLine)
                ws = `\n${ctx.indent}`;
        }
    }
    else if (valueStr === '' || valueStr[0] === '\n') {
        ws = '';
    }
    str += ws + valueStr;
    if (ctx.inFlow) {
        if (valueCommentDone && onComment)
            onComment();
    }
    else if (valueComment && !valueCommentDone) {
        str += stringifyComment.lineComment(str, ctx.indent, commentString(valueComment));
    }
    else if (chompKeep && onChompKeep) {
        onChompKeep();
    }
    return str;
}

exports.stringifyPair = stringifyPair;


/***/ }),

/***/ 3069:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var Scalar = __nccwpck_require__(3301);
var foldFlowLines = __nccwpck_require__(4475);

const getFoldOptions = (ctx, isBlock) => ({
    indentAtStart: isBlock ? ctx.indent.length : ctx.indentAtStart,
    lineWidth: ctx.options.lineWidth,
    minContentWidth: ctx.options.minContentWidth
});
// Also checks for lines starting with %, as parsing the output as YAML 1.1 will
// presume that's starting a new document.
const containsDocumentMarker = (str) => /^(%|---|\.\.\.)/m.test(str);
function lineLengthOverLimit(str, lineWidth, indentLength) {
    if (!lineWidth || lineWidth < 0)
        return false;
    const limit = lineWidth - indentLength;
    const strLen = str.length;
    if (strLen <= limit)
        return false;
    for (let i = 0, start = 0; i < strLen; ++i) {
        if (str[i] === '\n') {
            if (i - start > limit)
                return true;
            start = i + 1;
            if (strLen - start <= limit)
                return false;
        }
    }
    return true;
}
function doubleQuotedString(value, ctx) {
    const json = JSON.stringify(value);
    if (ctx.options.doubleQuotedAsJSON)
        return json;
    const { implicitKey } = ctx;
    const minMultiLineLength = ctx.options.doubleQuotedMinMultiLineLength;
    const indent = ctx.indent || (containsDocumentMarker(value) ? '  ' : '');
    let str = '';
    let start = 0;
    for (let i = 0, ch = json[i]; ch; ch = json[++i]) {
        if (ch === ' ' && json[i + 1] === '\\' && json[i + 2] === 'n') {
            // space before newline needs to be escaped to not be folded
            str += json.slice(start, i) + '\\ ';
            i += 1;
            start = i;
            ch = '\\';
        }
        if (ch === '\\')
            switch (json[i + 1]) {
                case 'u':
                    {
                        str += json.slice(start, i);
                        const code = json.substr(i + 2, 4);
                        switch (code) {
                            case '0000':
                                str += '\\0';
                                break;
                            case '0007':
                                str += '\\a';
                                break;
                            case '000b':
                                str += '\\v';
                                break;
                            case '001b':
                                str += '\\e';
                                break;
                            case '0085':
                                str += '\\N';
                                break;
                            case '00a0':
                                str += '\\_';
                                break;
                            case '2028':
                                str += '\\L';
                                break;
                            case '2029':
                                str += '\\P';
                                break;
                            default:
                                if (code.substr(0, 2) === '00')
                                    str += '\\x' + code.substr(2);
                                else
                                    str += json.substr(i, 6);
                        }
                        i += 5;
                        start = i + 1;
                    }
                    break;
                case 'n':
                    if (implicitKey ||
                        json[i + 2] === '"' ||
                        json.length < minMultiLineLength) {
                        i += 1;
                    }
                    else {
                        // folding will eat first newline
                        str += json.slice(start, i) + '\n\n';
                        while (json[i + 2] === '\\' &&
                            json[i + 3] === 'n' &&
                            json[i + 4] !== '"') {
                            str += '\n';
                            i += 2;
                        }
                        str += indent;
                        // space after newline needs to be escaped to not be folded
                        if (json[i + 2] === ' ')
                            str += '\\';
                        i += 1;
                        start = i + 1;
                    }
                    break;
                default:
                    i += 1;
            }
    }
    str = start ? str + json.slice(start) : json;
    return implicitKey
        ? str
        : foldFlowLines.foldFlowLines(str, indent, foldFlowLines.FOLD_QUOTED, getFoldOptions(ctx, false));
}
function singleQuotedString(value, ctx) {
    if (ctx.options.singleQuote === false ||
        (ctx.implicitKey && value.includes('\n')) ||
        /[ \t]\n|\n[ \t]/.test(value) // single quoted string can't have leading or trailing whitespace around newline
    )
        return doubleQuotedString(value, ctx);
    const indent = ctx.indent || (containsDocumentMarker(value) ? '  ' : '');
    const res = "'" + value.replace(/'/g, "''").replace(/\n+/g, `$&\n${indent}`) + "'";
    return ctx.implicitKey
        ? res
        : foldFlowLines.foldFlowLines(res, indent, foldFlowLines.FOLD_FLOW, getFoldOptions(ctx, false));
}
function quotedString(value, ctx) {
    const { singleQuote } = ctx.options;
    let qs;
    if (singleQuote === false)
        qs = doubleQuotedString;
    else {
        const hasDouble = value.includes('"');
        const hasSingle = value.includes("'");
        if (hasDouble && !hasSingle)
            qs = singleQuotedString;
        else if (hasSingle && !hasDouble)
            qs = doubleQuotedString;
        else
            qs = singleQuote ? singleQuotedString : doubleQuotedString;
    }
    return qs(value, ctx);
}
// The negative lookbehind avoids a polynomial search,
// but isn't supported yet on Safari: https://caniuse.com/js-regexp-lookbehind
let blockEndNewlines;
try {
    blockEndNewlines = new RegExp('(^|(?<!\n))\n+(?!\n|$)', 'g');
}
catch {
    blockEndNewlines = /\n+(?!\n|$)/g;
}
function blockString({ comment, type, value }, ctx, onComment, onChompKeep) {
    const { blockQuote, commentString, lineWidth } = ctx.options;
    // 1. Block can't end in whitespace unless the last line is non-empty.
    // 2. Strings consisting of only whitespace are best rendered explicitly.
    if (!blockQuote || /\n[\t ]+$/.test(value)) {
        return quotedString(value, ctx);
    }
    const indent = ctx.indent ||
        (ctx.forceBlockIndent || containsDocumentMarker(value) ? '  ' : '');
    const literal = blockQuote === 'literal'
        ? true
        : blockQuote === 'folded' || type === Scalar.Scalar.BLOCK_FOLDED
            ? false
            : type === Scalar.Scalar.BLOCK_LITERAL
                ? true
                : !lineLengthOverLimit(value, lineWidth, indent.length);
    if (!value)
        return literal ? '|\n' : '>\n';
    // determine chomping from whitespace at value end
    let chomp;
    let endStart;
    for (endStart = value.length; endStart > 0; --endStart) {
        const ch = value[endStart - 1];
        if (ch !== '\n' && ch !== '\t' && ch !== ' ')
            break;
    }
    let end = value.substring(endStart);
    const endNlPos = end.indexOf('\n');
    if (endNlPos === -1) {
        chomp = '-'; // strip
    }
    else if (value === end || endNlPos !== end.length - 1) {
        chomp = '+'; // keep
        if (onChompKeep)
            onChompKeep();
    }
    else {
        chomp = ''; // clip
    }
    if (end) {
        value = value.slice(0, -end.length);
        if (end[end.length - 1] === '\n')
            end = end.slice(0, -1);
        end = end.replace(blockEndNewlines, `$&${indent}`);
    }
    // determine indent indicator from whitespace at value start
    let startWithSpace = false;
    let startEnd;
    let startNlPos = -1;
    for (startEnd = 0; startEnd < value.length; ++startEnd) {
        const ch = value[startEnd];
        if (ch === ' ')
            startWithSpace = true;
        else if (ch === '\n')
            startNlPos = startEnd;
        else
            break;
    }
    let start = value.substring(0, startNlPos < startEnd ? startNlPos + 1 : startEnd);
    if (start) {
        value = value.substring(start.length);
        start = start.replace(/\n+/g, `$&${indent}`);
    }
    const indentSize = indent ? '2' : '1'; // root is at -1
    // Leading | or > is added later
    let header = (startWithSpace ? indentSize : '') + chomp;
    if (comment) {
        header += ' ' + commentString(comment.replace(/ ?[\r\n]+/g, ' '));
        if (onComment)
            onComment();
    }
    if (!literal) {
        const foldedValue = value
            .replace(/\n+/g, '\n$&')
            .replace(/(?:^|\n)([\t ].*)(?:([\n\t ]*)\n(?![\n\t ]))?/g, '$1$2') // more-indented lines aren't folded
            //                ^ more-ind. ^ empty     ^ capture next empty lines only at end of indent
            .replace(/\n+/g, `$&${indent}`);
        let literalFallback = false;
        const foldOptions = getFoldOptions(ctx, true);
        if (blockQuote !== 'folded' && type !== Scalar.Scalar.BLOCK_FOLDED) {
            foldOptions.onOverflow = () => {
                literalFallback = true;
            };
        }
        const body = foldFlowLines.foldFlowLines(`${start}${foldedValue}${end}`, indent, foldFlowLines.FOLD_BLOCK, foldOptions);
        if (!literalFallback)
            return `>${header}\n${indent}${body}`;
    }
    value = value.replace(/\n+/g, `$&${indent}`);
    return `|${header}\n${indent}${start}${value}${end}`;
}
function plainString(item, ctx, onComment, onChompKeep) {
    const { type, value } = item;
    const { actualString, implicitKey, indent, indentStep, inFlow } = ctx;
    if ((implicitKey && value.includes('\n')) ||
        (inFlow && /[[\]{},]/.test(value))) {
        return quotedString(value, ctx);
    }
    if (/^[\n\t ,[\]{}#&*!|>'"%@`]|^[?-]$|^[?-][ \t]|[\n:][ \t]|[ \t]\n|[\n\t ]#|[\n\t :]$/.test(value)) {
        // not allowed:
        // - '-' or '?'
        // - start with an indicator character (except [?:-]) or /[?-] /
        // - '\n ', ': ' or ' \n' anywhere
        // - '#' not preceded by a non-space char
        // - end with ' ' or ':'
        return implicitKey || inFlow || !value.includes('\n')
            ? quotedString(value, ctx)
            : blockString(item, ctx, onComment, onChompKeep);
    }
    if (!implicitKey &&
        !inFlow &&
        type !== Scalar.Scalar.PLAIN &&
        value.includes('\n')) {
        // Where allowed & type not set explicitly, prefer block style for multiline strings
        return blockString(item, ctx, onComment, onChompKeep);
    }
    if (containsDocumentMarker(value)) {
        if (indent === '') {
            ctx.forceBlockIndent = true;
            return blockString(item, ctx, onComment, onChompKeep);
        }
        else if (implicitKey && indent === indentStep) {
            return quotedString(value, ctx);
        }
    }
    const str = value.replace(/\n+/g, `$&\n${indent}`);
    // Verify that output will be parsed as a string, as e.g. plain numbers and
    // booleans get parsed with those types in v1.2 (e.g. '42', 'true' & '0.9e-3'),
    // and others in v1.1.
    if (actualString) {
        const test = (tag) => tag.default && tag.tag !== 'tag:yaml.org,2002:str' && tag.test?.test(str);
        const { compat, tags } = ctx.doc.schema;
        if (tags.some(test) || compat?.some(test))
            return quotedString(value, ctx);
    }
    return implicitKey
        ? str
        : foldFlowLines.foldFlowLines(str, indent, foldFlowLines.FOLD_FLOW, getFoldOptions(ctx, false));
}
function stringifyString(item, ctx, onComment, onChompKeep) {
    const { implicitKey, inFlow } = ctx;
    const ss = typeof item.value === 'string'
        ? item
        : Object.assign({}, item, { value: String(item.value) });
    let { type } = item;
    if (type !== Scalar.Scalar.QUOTE_DOUBLE) {
        // force double quotes on control characters & unpaired surrogates
        if (/[\x00-\x08\x0b-\x1f\x7f-\x9f\u{D800}-\u{DFFF}]/u.test(ss.value))
            type = Scalar.Scalar.QUOTE_DOUBLE;
    }
    const _stringify = (_type) => {
        switch (_type) {
            case Scalar.Scalar.BLOCK_FOLDED:
            case Scalar.Scalar.BLOCK_LITERAL:
                return implicitKey || inFlow
                    ? quotedString(ss.value, ctx) // blocks are not valid inside flow containers
                    : blockString(ss, ctx, onComment, onChompKeep);
            case Scalar.Scalar.QUOTE_DOUBLE:
                return doubleQuotedString(ss.value, ctx);
            case Scalar.Scalar.QUOTE_SINGLE:
                return singleQuotedString(ss.value, ctx);
            case Scalar.Scalar.PLAIN:
                return plainString(ss, ctx, onComment, onChompKeep);
            default:
                return null;
        }
    };
    let res = _stringify(type);
    if (res === null) {
        const { defaultKeyType, defaultStringType } = ctx.options;
        const t = (implicitKey && defaultKeyType) || defaultStringType;
        res = _stringify(t);
        if (res === null)
            throw new Error(`Unsupported default string type ${t}`);
    }
    return res;
}

exports.stringifyString = stringifyString;


/***/ }),

/***/ 204:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {



var identity = __nccwpck_require__(1127);

const BREAK = Symbol('break visit');
const SKIP = Symbol('skip children');
const REMOVE = Symbol('remove node');
/**
 * Apply a visitor to an AST node or document.
 *
 * Walks through the tree (depth-first) starting from `node`, calling a
 * `visitor` function with three arguments:
 *   - `key`: For sequence values and map `Pair`, the node's index in the
 *     collection. Within a `Pair`, `'key'` or `'value'`, correspondingly.
 *     `null` for the root node.
 *   - `node`: The current node.
 *   - `path`: The ancestry of the current node.
 *
 * The return value of the visitor may be used to control the traversal:
 *   - `undefined` (default): Do nothing and continue
 *   - `visit.SKIP`: Do not visit the children of this node, continue with next
 *     sibling
 *   - `visit.BREAK`: Terminate traversal completely
 *   - `visit.REMOVE`: Remove the current node, then continue with the next one
 *   - `Node`: Replace the current node, then continue by visiting it
 *   - `number`: While iterating the items of a sequence or map, set the index
 *     of the next step. This is useful especially if the index of the current
 *     node has changed.
 *
 * If `visitor` is a single function, it will be called with all values
 * encountered in the tree, including e.g. `null` values. Alternatively,
 * separate visitor functions may be defined for each `Map`, `Pair`, `Seq`,
 * `Alias` and `Scalar` node. To define the same visitor function for more than
 * one node type, use the `Collection` (map and seq), `Value` (map, seq & scalar)
 * and `Node` (alias, map, seq & scalar) targets. Of all these, only the most
 * specific defined one will be used for each node.
 */
function visit(node, visitor) {
    const visitor_ = initVisitor(visitor);
    if (identity.isDocument(node)) {
        const cd = visit_(null, node.contents, visitor_, Object.freeze([node]));
        if (cd === REMOVE)
            node.contents = null;
    }
    else
        visit_(null, node, visitor_, Object.freeze([]));
}
// Without the `as symbol` casts, TS declares these in the `visit`
// namespace using `var`, but then complains about that because
// `unique symbol` must be `const`.
/** Terminate visit traversal completely */
visit.BREAK = BREAK;
/** Do not visit the children of the current node */
visit.SKIP = SKIP;
/** Remove the current node */
visit.REMOVE = REMOVE;
function visit_(key, node, visitor, path) {
    const ctrl = callVisitor(key, node, visitor, path);
    if (identity.isNode(ctrl) || identity.isPair(ctrl)) {
        replaceNode(key, path, ctrl);
        return visit_(key, ctrl, visitor, path);
    }
    if (typeof ctrl !== 'symbol') {
        if (identity.isCollection(node)) {
            path = Object.freeze(path.concat(node));
            for (let i = 0; i < node.items.length; ++i) {
                const ci = visit_(i, node.items[i], visitor, path);
                if (typeof ci === 'number')
                    i = ci - 1;
                else if (ci === BREAK)
                    return BREAK;
                else if (ci === REMOVE) {
                    node.items.splice(i, 1);
                    i -= 1;
                }
            }
        }
        else if (identity.isPair(node)) {
            path = Object.freeze(path.concat(node));
            const ck = visit_('key', node.key, visitor, path);
            if (ck === BREAK)
                return BREAK;
            else if (ck === REMOVE)
                node.key = null;
            const cv = visit_('value', node.value, visitor, path);
            if (cv === BREAK)
                return BREAK;
            else if (cv === REMOVE)
                node.value = null;
        }
    }
    return ctrl;
}
/**
 * Apply an async visitor to an AST node or document.
 *
 * Walks through the tree (depth-first) starting from `node`, calling a
 * `visitor` function with three arguments:
 *   - `key`: For sequence values and map `Pair`, the node's index in the
 *     collection. Within a `Pair`, `'key'` or `'value'`, correspondingly.
 *     `null` for the root node.
 *   - `node`: The current node.
 *   - `path`: The ancestry of the current node.
 *
 * The return value of the visitor may be used to control the traversal:
 *   - `Promise`: Must resolve to one of the following values
 *   - `undefined` (default): Do nothing and continue
 *   - `visit.SKIP`: Do not visit the children of this node, continue with next
 *     sibling
 *   - `visit.BREAK`: Terminate traversal completely
 *   - `visit.REMOVE`: Remove the current node, then continue with the next one
 *   - `Node`: Replace the current node, then continue by visiting it
 *   - `number`: While iterating the items of a sequence or map, set the index
 *     of the next step. This is useful especially if the index of the current
 *     node has changed.
 *
 * If `visitor` is a single function, it will be called with all values
 * encountered in the tree, including e.g. `null` values. Alternatively,
 * separate visitor functions may be defined for each `Map`, `Pair`, `Seq`,
 * `Alias` and `Scalar` node. To define the same visitor function for more than
 * one node type, use the `Collection` (map and seq), `Value` (map, seq & scalar)
 * and `Node` (alias, map, seq & scalar) targets. Of all these, only the most
 * specific defined one will be used for each node.
 */
async function visitAsync(node, visitor) {
    const visitor_ = initVisitor(visitor);
    if (identity.isDocument(node)) {
        const cd = await visitAsync_(null, node.contents, visitor_, Object.freeze([node]));
        if (cd === REMOVE)
            node.contents = null;
    }
    else
        await visitAsync_(null, node, visitor_, Object.freeze([]));
}
// Without the `as symbol` casts, TS declares these in the `visit`
// namespace using `var`, but then complains about that because
// `unique symbol` must be `const`.
/** Terminate visit traversal completely */
visitAsync.BREAK = BREAK;
/** Do not visit the children of the current node */
visitAsync.SKIP = SKIP;
/** Remove the current node */
visitAsync.REMOVE = REMOVE;
async function visitAsync_(key, node, visitor, path) {
    const ctrl = await callVisitor(key, node, visitor, path);
    if (identity.isNode(ctrl) || identity.isPair(ctrl)) {
        replaceNode(key, path, ctrl);
        return visitAsync_(key, ctrl, visitor, path);
    }
    if (typeof ctrl !== 'symbol') {
        if (identity.isCollection(node)) {
            path = Object.freeze(path.concat(node));
            for (let i = 0; i < node.items.length; ++i) {
                const ci = await visitAsync_(i, node.items[i], visitor, path);
                if (typeof ci === 'number')
                    i = ci - 1;
                else if (ci === BREAK)
                    return BREAK;
                else if (ci === REMOVE) {
                    node.items.splice(i, 1);
                    i -= 1;
                }
            }
        }
        else if (identity.isPair(node)) {
            path = Object.freeze(path.concat(node));
            const ck = await visitAsync_('key', node.key, visitor, path);
            if (ck === BREAK)
                return BREAK;
            else if (ck === REMOVE)
                node.key = null;
            const cv = await visitAsync_('value', node.value, visitor, path);
            if (cv === BREAK)
                return BREAK;
            else if (cv === REMOVE)
                node.value = null;
        }
    }
    return ctrl;
}
function initVisitor(visitor) {
    if (typeof visitor === 'object' &&
        (visitor.Collection || visitor.Node || visitor.Value)) {
        return Object.assign({
            Alias: visitor.Node,
            Map: visitor.Node,
            Scalar: visitor.Node,
            Seq: visitor.Node
        }, visitor.Value && {
            Map: visitor.Value,
            Scalar: visitor.Value,
            Seq: visitor.Value
        }, visitor.Collection && {
            Map: visitor.Collection,
            Seq: visitor.Collection
        }, visitor);
    }
    return visitor;
}
function callVisitor(key, node, visitor, path) {
    if (typeof visitor === 'function')
        return visitor(key, node, path);
    if (identity.isMap(node))
        return visitor.Map?.(key, node, path);
    if (identity.isSeq(node))
        return visitor.Seq?.(key, node, path);
    if (identity.isPair(node))
        return visitor.Pair?.(key, node, path);
    if (identity.isScalar(node))
        return visitor.Scalar?.(key, node, path);
    if (identity.isAlias(node))
        return visitor.Alias?.(key, node, path);
    return undefined;
}
function replaceNode(key, path, node) {
    const parent = path[path.length - 1];
    if (identity.isCollection(parent)) {
        parent.items[key] = node;
    }
    else if (identity.isPair(parent)) {
        if (key === 'key')
            parent.key = node;
        else
            parent.value = node;
    }
    else if (identity.isDocument(parent)) {
        parent.contents = node;
    }
    else {
        const pt = identity.isAlias(parent) ? 'alias' : 'scalar';
        throw new Error(`Cannot replace node with ${pt} parent`);
    }
}

exports.visit = visit;
exports.visitAsync = visitAsync;


/***/ }),

/***/ 9635:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   L: () => (/* binding */ issueCommand),
/* harmony export */   s: () => (/* binding */ issue)
/* harmony export */ });
/* harmony import */ var os__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(857);
/* harmony import */ var _utils_js__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(4679);


/**
 * Issues a command to the GitHub Actions runner
 *
 * @param command - The command name to issue
 * @param properties - Additional properties for the command (key-value pairs)
 * @param message - The message to include with the command
 * @remarks
 * This function outputs a specially formatted string to stdout that the Actions
 * runner interprets as a command. These commands can control workflow behavior,
 * set outputs, create annotations, mask values, and more.
 *
 * Command Format:
 *   ::name key=value,key=value::message
 *
 * @example
 * ```typescript
 * // Issue a warning annotation
 * issueCommand('warning', {}, 'This is a warning message');
 * // Output: ::warning::This is a warning message
 *
 * // Set an environment variable
 * issueCommand('set-env', { name: 'MY_VAR' }, 'some value');
 * // Output: ::set-env name=MY_VAR::some value
 *
 * // Add a secret mask
 * issueCommand('add-mask', {}, 'secretValue123');
 * // Output: ::add-mask::secretValue123
 * ```
 *
 * @internal
 * This is an internal utility function that powers the public API functions
 * such as setSecret, warning, error, and exportVariable.
 */
function issueCommand(command, properties, message) {
    const cmd = new Command(command, properties, message);
    process.stdout.write(cmd.toString() + os__WEBPACK_IMPORTED_MODULE_0__.EOL);
}
function issue(name, message = '') {
    issueCommand(name, {}, message);
}
const CMD_STRING = '::';
class Command {
    constructor(command, properties, message) {
        if (!command) {
            command = 'missing.command';
        }
        this.command = command;
        this.properties = properties;
        this.message = message;
    }
    toString() {
        let cmdStr = CMD_STRING + this.command;
        if (this.properties && Object.keys(this.properties).length > 0) {
            cmdStr += ' ';
            let first = true;
            for (const key in this.properties) {
                if (this.properties.hasOwnProperty(key)) {
                    const val = this.properties[key];
                    if (val) {
                        if (first) {
                            first = false;
                        }
                        else {
                            cmdStr += ',';
                        }
                        cmdStr += `${key}=${escapeProperty(val)}`;
                    }
                }
            }
        }
        cmdStr += `${CMD_STRING}${escapeData(this.message)}`;
        return cmdStr;
    }
}
function escapeData(s) {
    return (0,_utils_js__WEBPACK_IMPORTED_MODULE_1__/* .toCommandValue */ .E)(s)
        .replace(/%/g, '%25')
        .replace(/\r/g, '%0D')
        .replace(/\n/g, '%0A');
}
function escapeProperty(s) {
    return (0,_utils_js__WEBPACK_IMPORTED_MODULE_1__/* .toCommandValue */ .E)(s)
        .replace(/%/g, '%25')
        .replace(/\r/g, '%0D')
        .replace(/\n/g, '%0A')
        .replace(/:/g, '%3A')
        .replace(/,/g, '%2C');
}
//# sourceMappingURL=command.js.map

/***/ }),

/***/ 7063:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  n: () => (/* binding */ issueFileCommand),
  v: () => (/* binding */ prepareKeyValueMessage)
});

;// CONCATENATED MODULE: external "crypto"
const external_crypto_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("crypto");
// EXTERNAL MODULE: external "fs"
var external_fs_ = __nccwpck_require__(9896);
// EXTERNAL MODULE: external "os"
var external_os_ = __nccwpck_require__(857);
// EXTERNAL MODULE: ./node_modules/@actions/core/lib/utils.js
var utils = __nccwpck_require__(4679);
;// CONCATENATED MODULE: ./node_modules/@actions/core/lib/file-command.js
// For internal use, subject to change.
// We use any as a valid input type
/* eslint-disable @typescript-eslint/no-explicit-any */




function issueFileCommand(command, message) {
    const filePath = process.env[`GITHUB_${command}`];
    if (!filePath) {
        throw new Error(`Unable to find environment variable for file command ${command}`);
    }
    if (!external_fs_.existsSync(filePath)) {
        throw new Error(`Missing file at path: ${filePath}`);
    }
    external_fs_.appendFileSync(filePath, `${(0,utils/* toCommandValue */.E)(message)}${external_os_.EOL}`, {
        encoding: 'utf8'
    });
}
function prepareKeyValueMessage(key, value) {
    const delimiter = `ghadelimiter_${external_crypto_namespaceObject.randomUUID()}`;
    const convertedValue = (0,utils/* toCommandValue */.E)(value);
    // These should realistically never happen, but just in case someone finds a
    // way to exploit uuid generation let's not allow keys or values that contain
    // the delimiter.
    if (key.includes(delimiter)) {
        throw new Error(`Unexpected input: name should not contain the delimiter "${delimiter}"`);
    }
    if (convertedValue.includes(delimiter)) {
        throw new Error(`Unexpected input: value should not contain the delimiter "${delimiter}"`);
    }
    return `${key}<<${delimiter}${external_os_.EOL}${convertedValue}${external_os_.EOL}${delimiter}`;
}
//# sourceMappingURL=file-command.js.map

/***/ }),

/***/ 1170:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   yo: () => (/* binding */ markdownSummary),
/* harmony export */   z: () => (/* binding */ summary)
/* harmony export */ });
/* unused harmony exports SUMMARY_ENV_VAR, SUMMARY_DOCS_URL */
/* harmony import */ var os__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(857);
/* harmony import */ var fs__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(9896);
var __awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


const { access, appendFile, writeFile } = fs__WEBPACK_IMPORTED_MODULE_1__.promises;
const SUMMARY_ENV_VAR = 'GITHUB_STEP_SUMMARY';
const SUMMARY_DOCS_URL = 'https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions#adding-a-job-summary';
class Summary {
    constructor() {
        this._buffer = '';
    }
    /**
     * Finds the summary file path from the environment, rejects if env var is not found or file does not exist
     * Also checks r/w permissions.
     *
     * @returns step summary file path
     */
    filePath() {
        return __awaiter(this, void 0, void 0, function* () {
            if (this._filePath) {
                return this._filePath;
            }
            const pathFromEnv = process.env[SUMMARY_ENV_VAR];
            if (!pathFromEnv) {
                throw new Error(`Unable to find environment variable for $${SUMMARY_ENV_VAR}. Check if your runtime environment supports job summaries.`);
            }
            try {
                yield access(pathFromEnv, fs__WEBPACK_IMPORTED_MODULE_1__.constants.R_OK | fs__WEBPACK_IMPORTED_MODULE_1__.constants.W_OK);
            }
            catch (_a) {
                throw new Error(`Unable to access summary file: '${pathFromEnv}'. Check if the file has correct read/write permissions.`);
            }
            this._filePath = pathFromEnv;
            return this._filePath;
        });
    }
    /**
     * Wraps content in an HTML tag, adding any HTML attributes
     *
     * @param {string} tag HTML tag to wrap
     * @param {string | null} content content within the tag
     * @param {[attribute: string]: string} attrs key-value list of HTML attributes to add
     *
     * @returns {string} content wrapped in HTML element
     */
    wrap(tag, content, attrs = {}) {
        const htmlAttrs = Object.entries(attrs)
            .map(([key, value]) => ` ${key}="${value}"`)
            .join('');
        if (!content) {
            return `<${tag}${htmlAttrs}>`;
        }
        return `<${tag}${htmlAttrs}>${content}</${tag}>`;
    }
    /**
     * Writes text in the buffer to the summary buffer file and empties buffer. Will append by default.
     *
     * @param {SummaryWriteOptions} [options] (optional) options for write operation
     *
     * @returns {Promise<Summary>} summary instance
     */
    write(options) {
        return __awaiter(this, void 0, void 0, function* () {
            const overwrite = !!(options === null || options === void 0 ? void 0 : options.overwrite);
            const filePath = yield this.filePath();
            const writeFunc = overwrite ? writeFile : appendFile;
            yield writeFunc(filePath, this._buffer, { encoding: 'utf8' });
            return this.emptyBuffer();
        });
    }
    /**
     * Clears the summary buffer and wipes the summary file
     *
     * @returns {Summary} summary instance
     */
    clear() {
        return __awaiter(this, void 0, void 0, function* () {
            return this.emptyBuffer().write({ overwrite: true });
        });
    }
    /**
     * Returns the current summary buffer as a string
     *
     * @returns {string} string of summary buffer
     */
    stringify() {
        return this._buffer;
    }
    /**
     * If the summary buffer is empty
     *
     * @returns {boolen} true if the buffer is empty
     */
    isEmptyBuffer() {
        return this._buffer.length === 0;
    }
    /**
     * Resets the summary buffer without writing to summary file
     *
     * @returns {Summary} summary instance
     */
    emptyBuffer() {
        this._buffer = '';
        return this;
    }
    /**
     * Adds raw text to the summary buffer
     *
     * @param {string} text content to add
     * @param {boolean} [addEOL=false] (optional) append an EOL to the raw text (default: false)
     *
     * @returns {Summary} summary instance
     */
    addRaw(text, addEOL = false) {
        this._buffer += text;
        return addEOL ? this.addEOL() : this;
    }
    /**
     * Adds the operating system-specific end-of-line marker to the buffer
     *
     * @returns {Summary} summary instance
     */
    addEOL() {
        return this.addRaw(os__WEBPACK_IMPORTED_MODULE_0__.EOL);
    }
    /**
     * Adds an HTML codeblock to the summary buffer
     *
     * @param {string} code content to render within fenced code block
     * @param {string} lang (optional) language to syntax highlight code
     *
     * @returns {Summary} summary instance
     */
    addCodeBlock(code, lang) {
        const attrs = Object.assign({}, (lang && { lang }));
        const element = this.wrap('pre', this.wrap('code', code), attrs);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML list to the summary buffer
     *
     * @param {string[]} items list of items to render
     * @param {boolean} [ordered=false] (optional) if the rendered list should be ordered or not (default: false)
     *
     * @returns {Summary} summary instance
     */
    addList(items, ordered = false) {
        const tag = ordered ? 'ol' : 'ul';
        const listItems = items.map(item => this.wrap('li', item)).join('');
        const element = this.wrap(tag, listItems);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML table to the summary buffer
     *
     * @param {SummaryTableCell[]} rows table rows
     *
     * @returns {Summary} summary instance
     */
    addTable(rows) {
        const tableBody = rows
            .map(row => {
            const cells = row
                .map(cell => {
                if (typeof cell === 'string') {
                    return this.wrap('td', cell);
                }
                const { header, data, colspan, rowspan } = cell;
                const tag = header ? 'th' : 'td';
                const attrs = Object.assign(Object.assign({}, (colspan && { colspan })), (rowspan && { rowspan }));
                return this.wrap(tag, data, attrs);
            })
                .join('');
            return this.wrap('tr', cells);
        })
            .join('');
        const element = this.wrap('table', tableBody);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds a collapsable HTML details element to the summary buffer
     *
     * @param {string} label text for the closed state
     * @param {string} content collapsable content
     *
     * @returns {Summary} summary instance
     */
    addDetails(label, content) {
        const element = this.wrap('details', this.wrap('summary', label) + content);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML image tag to the summary buffer
     *
     * @param {string} src path to the image you to embed
     * @param {string} alt text description of the image
     * @param {SummaryImageOptions} options (optional) addition image attributes
     *
     * @returns {Summary} summary instance
     */
    addImage(src, alt, options) {
        const { width, height } = options || {};
        const attrs = Object.assign(Object.assign({}, (width && { width })), (height && { height }));
        const element = this.wrap('img', null, Object.assign({ src, alt }, attrs));
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML section heading element
     *
     * @param {string} text heading text
     * @param {number | string} [level=1] (optional) the heading level, default: 1
     *
     * @returns {Summary} summary instance
     */
    addHeading(text, level) {
        const tag = `h${level}`;
        const allowedTag = ['h1', 'h2', 'h3', 'h4', 'h5', 'h6'].includes(tag)
            ? tag
            : 'h1';
        const element = this.wrap(allowedTag, text);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML thematic break (<hr>) to the summary buffer
     *
     * @returns {Summary} summary instance
     */
    addSeparator() {
        const element = this.wrap('hr', null);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML line break (<br>) to the summary buffer
     *
     * @returns {Summary} summary instance
     */
    addBreak() {
        const element = this.wrap('br', null);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML blockquote to the summary buffer
     *
     * @param {string} text quote text
     * @param {string} cite (optional) citation url
     *
     * @returns {Summary} summary instance
     */
    addQuote(text, cite) {
        const attrs = Object.assign({}, (cite && { cite }));
        const element = this.wrap('blockquote', text, attrs);
        return this.addRaw(element).addEOL();
    }
    /**
     * Adds an HTML anchor tag to the summary buffer
     *
     * @param {string} text link text/content
     * @param {string} href hyperlink
     *
     * @returns {Summary} summary instance
     */
    addLink(text, href) {
        const element = this.wrap('a', text, { href });
        return this.addRaw(element).addEOL();
    }
}
const _summary = new Summary();
/**
 * @deprecated use `core.summary`
 */
const markdownSummary = _summary;
const summary = _summary;
//# sourceMappingURL=summary.js.map

/***/ }),

/***/ 4679:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   E: () => (/* binding */ toCommandValue),
/* harmony export */   k: () => (/* binding */ toCommandProperties)
/* harmony export */ });
// We use any as a valid input type
/* eslint-disable @typescript-eslint/no-explicit-any */
/**
 * Sanitizes an input into a string so it can be passed into issueCommand safely
 * @param input input to sanitize into a string
 */
function toCommandValue(input) {
    if (input === null || input === undefined) {
        return '';
    }
    else if (typeof input === 'string' || input instanceof String) {
        return input;
    }
    return JSON.stringify(input);
}
/**
 *
 * @param annotationProperties
 * @returns The command properties to send with the actual annotation command
 * See IssueCommandProperties: https://github.com/actions/runner/blob/main/src/Runner.Worker/ActionCommandManager.cs#L646
 */
function toCommandProperties(annotationProperties) {
    if (!Object.keys(annotationProperties).length) {
        return {};
    }
    return {
        title: annotationProperties.title,
        file: annotationProperties.file,
        line: annotationProperties.startLine,
        endLine: annotationProperties.endLine,
        col: annotationProperties.startColumn,
        endColumn: annotationProperties.endColumn
    };
}
//# sourceMappingURL=utils.js.map

/***/ }),

/***/ 2876:
/***/ ((__unused_webpack___webpack_module__, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  H: () => (/* binding */ getExecOutput)
});

// UNUSED EXPORTS: exec

// EXTERNAL MODULE: external "string_decoder"
var external_string_decoder_ = __nccwpck_require__(3193);
// EXTERNAL MODULE: external "os"
var external_os_ = __nccwpck_require__(857);
// EXTERNAL MODULE: external "events"
var external_events_ = __nccwpck_require__(4434);
;// CONCATENATED MODULE: external "child_process"
const external_child_process_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("child_process");
// EXTERNAL MODULE: external "path"
var external_path_ = __nccwpck_require__(6928);
// EXTERNAL MODULE: external "assert"
var external_assert_ = __nccwpck_require__(2613);
// EXTERNAL MODULE: external "fs"
var external_fs_ = __nccwpck_require__(9896);
;// CONCATENATED MODULE: ./node_modules/@actions/io/lib/io-util.js
var __awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


const { chmod, copyFile, lstat, mkdir, open: io_util_open, readdir, rename, rm, rmdir, stat, symlink, unlink } = external_fs_.promises;
// export const {open} = 'fs'
const IS_WINDOWS = process.platform === 'win32';
/**
 * Custom implementation of readlink to ensure Windows junctions
 * maintain trailing backslash for backward compatibility with Node.js < 24
 *
 * In Node.js 20, Windows junctions (directory symlinks) always returned paths
 * with trailing backslashes. Node.js 24 removed this behavior, which breaks
 * code that relied on this format for path operations.
 *
 * This implementation restores the Node 20 behavior by adding a trailing
 * backslash to all junction results on Windows.
 */
function readlink(fsPath) {
    return __awaiter(this, void 0, void 0, function* () {
        const result = yield fs.promises.readlink(fsPath);
        // On Windows, restore Node 20 behavior: add trailing backslash to all results
        // since junctions on Windows are always directory links
        if (IS_WINDOWS && !result.endsWith('\\')) {
            return `${result}\\`;
        }
        return result;
    });
}
// See https://github.com/nodejs/node/blob/d0153aee367422d0858105abec186da4dff0a0c5/deps/uv/include/uv/win.h#L691
const UV_FS_O_EXLOCK = 0x10000000;
const READONLY = external_fs_.constants.O_RDONLY;
function exists(fsPath) {
    return __awaiter(this, void 0, void 0, function* () {
        try {
            yield stat(fsPath);
        }
        catch (err) {
            if (err.code === 'ENOENT') {
                return false;
            }
            throw err;
        }
        return true;
    });
}
function isDirectory(fsPath_1) {
    return __awaiter(this, arguments, void 0, function* (fsPath, useStat = false) {
        const stats = useStat ? yield stat(fsPath) : yield lstat(fsPath);
        return stats.isDirectory();
    });
}
/**
 * On OSX/Linux, true if path starts with '/'. On Windows, true for paths like:
 * \, \hello, \\hello\share, C:, and C:\hello (and corresponding alternate separator cases).
 */
function isRooted(p) {
    p = normalizeSeparators(p);
    if (!p) {
        throw new Error('isRooted() parameter "p" cannot be empty');
    }
    if (IS_WINDOWS) {
        return (p.startsWith('\\') || /^[A-Z]:/i.test(p) // e.g. \ or \hello or \\hello
        ); // e.g. C: or C:\hello
    }
    return p.startsWith('/');
}
/**
 * Best effort attempt to determine whether a file exists and is executable.
 * @param filePath    file path to check
 * @param extensions  additional file extensions to try
 * @return if file exists and is executable, returns the file path. otherwise empty string.
 */
function tryGetExecutablePath(filePath, extensions) {
    return __awaiter(this, void 0, void 0, function* () {
        let stats = undefined;
        try {
            // test file exists
            stats = yield stat(filePath);
        }
        catch (err) {
            if (err.code !== 'ENOENT') {
                // eslint-disable-next-line no-console
                console.log(`Unexpected error attempting to determine if executable file exists '${filePath}': ${err}`);
            }
        }
        if (stats && stats.isFile()) {
            if (IS_WINDOWS) {
                // on Windows, test for valid extension
                const upperExt = external_path_.extname(filePath).toUpperCase();
                if (extensions.some(validExt => validExt.toUpperCase() === upperExt)) {
                    return filePath;
                }
            }
            else {
                if (isUnixExecutable(stats)) {
                    return filePath;
                }
            }
        }
        // try each extension
        const originalFilePath = filePath;
        for (const extension of extensions) {
            filePath = originalFilePath + extension;
            stats = undefined;
            try {
                stats = yield stat(filePath);
            }
            catch (err) {
                if (err.code !== 'ENOENT') {
                    // eslint-disable-next-line no-console
                    console.log(`Unexpected error attempting to determine if executable file exists '${filePath}': ${err}`);
                }
            }
            if (stats && stats.isFile()) {
                if (IS_WINDOWS) {
                    // preserve the case of the actual file (since an extension was appended)
                    try {
                        const directory = external_path_.dirname(filePath);
                        const upperName = external_path_.basename(filePath).toUpperCase();
                        for (const actualName of yield readdir(directory)) {
                            if (upperName === actualName.toUpperCase()) {
                                filePath = external_path_.join(directory, actualName);
                                break;
                            }
                        }
                    }
                    catch (err) {
                        // eslint-disable-next-line no-console
                        console.log(`Unexpected error attempting to determine the actual case of the file '${filePath}': ${err}`);
                    }
                    return filePath;
                }
                else {
                    if (isUnixExecutable(stats)) {
                        return filePath;
                    }
                }
            }
        }
        return '';
    });
}
function normalizeSeparators(p) {
    p = p || '';
    if (IS_WINDOWS) {
        // convert slashes on Windows
        p = p.replace(/\//g, '\\');
        // remove redundant slashes
        return p.replace(/\\\\+/g, '\\');
    }
    // remove redundant slashes
    return p.replace(/\/\/+/g, '/');
}
// on Mac/Linux, test the execute bit
//     R   W  X  R  W X R W X
//   256 128 64 32 16 8 4 2 1
function isUnixExecutable(stats) {
    return ((stats.mode & 1) > 0 ||
        ((stats.mode & 8) > 0 &&
            process.getgid !== undefined &&
            stats.gid === process.getgid()) ||
        ((stats.mode & 64) > 0 &&
            process.getuid !== undefined &&
            stats.uid === process.getuid()));
}
// Get the path of cmd.exe in windows
function getCmdPath() {
    var _a;
    return (_a = process.env['COMSPEC']) !== null && _a !== void 0 ? _a : `cmd.exe`;
}
//# sourceMappingURL=io-util.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/io/lib/io.js
var io_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};



/**
 * Copies a file or folder.
 * Based off of shelljs - https://github.com/shelljs/shelljs/blob/9237f66c52e5daa40458f94f9565e18e8132f5a6/src/cp.js
 *
 * @param     source    source path
 * @param     dest      destination path
 * @param     options   optional. See CopyOptions.
 */
function cp(source_1, dest_1) {
    return io_awaiter(this, arguments, void 0, function* (source, dest, options = {}) {
        const { force, recursive, copySourceDirectory } = readCopyOptions(options);
        const destStat = (yield ioUtil.exists(dest)) ? yield ioUtil.stat(dest) : null;
        // Dest is an existing file, but not forcing
        if (destStat && destStat.isFile() && !force) {
            return;
        }
        // If dest is an existing directory, should copy inside.
        const newDest = destStat && destStat.isDirectory() && copySourceDirectory
            ? path.join(dest, path.basename(source))
            : dest;
        if (!(yield ioUtil.exists(source))) {
            throw new Error(`no such file or directory: ${source}`);
        }
        const sourceStat = yield ioUtil.stat(source);
        if (sourceStat.isDirectory()) {
            if (!recursive) {
                throw new Error(`Failed to copy. ${source} is a directory, but tried to copy without recursive flag.`);
            }
            else {
                yield cpDirRecursive(source, newDest, 0, force);
            }
        }
        else {
            if (path.relative(source, newDest) === '') {
                // a file cannot be copied to itself
                throw new Error(`'${newDest}' and '${source}' are the same file`);
            }
            yield io_copyFile(source, newDest, force);
        }
    });
}
/**
 * Moves a path.
 *
 * @param     source    source path
 * @param     dest      destination path
 * @param     options   optional. See MoveOptions.
 */
function mv(source_1, dest_1) {
    return io_awaiter(this, arguments, void 0, function* (source, dest, options = {}) {
        if (yield ioUtil.exists(dest)) {
            let destExists = true;
            if (yield ioUtil.isDirectory(dest)) {
                // If dest is directory copy src into dest
                dest = path.join(dest, path.basename(source));
                destExists = yield ioUtil.exists(dest);
            }
            if (destExists) {
                if (options.force == null || options.force) {
                    yield rmRF(dest);
                }
                else {
                    throw new Error('Destination already exists');
                }
            }
        }
        yield mkdirP(path.dirname(dest));
        yield ioUtil.rename(source, dest);
    });
}
/**
 * Remove a path recursively with force
 *
 * @param inputPath path to remove
 */
function rmRF(inputPath) {
    return io_awaiter(this, void 0, void 0, function* () {
        if (ioUtil.IS_WINDOWS) {
            // Check for invalid characters
            // https://docs.microsoft.com/en-us/windows/win32/fileio/naming-a-file
            if (/[*"<>|]/.test(inputPath)) {
                throw new Error('File path must not contain `*`, `"`, `<`, `>` or `|` on Windows');
            }
        }
        try {
            // note if path does not exist, error is silent
            yield ioUtil.rm(inputPath, {
                force: true,
                maxRetries: 3,
                recursive: true,
                retryDelay: 300
            });
        }
        catch (err) {
            throw new Error(`File was unable to be removed ${err}`);
        }
    });
}
/**
 * Make a directory.  Creates the full path with folders in between
 * Will throw if it fails
 *
 * @param   fsPath        path to create
 * @returns Promise<void>
 */
function mkdirP(fsPath) {
    return io_awaiter(this, void 0, void 0, function* () {
        ok(fsPath, 'a path argument must be provided');
        yield ioUtil.mkdir(fsPath, { recursive: true });
    });
}
/**
 * Returns path of a tool had the tool actually been invoked.  Resolves via paths.
 * If you check and the tool does not exist, it will throw.
 *
 * @param     tool              name of the tool
 * @param     check             whether to check if tool exists
 * @returns   Promise<string>   path to tool
 */
function which(tool, check) {
    return io_awaiter(this, void 0, void 0, function* () {
        if (!tool) {
            throw new Error("parameter 'tool' is required");
        }
        // recursive when check=true
        if (check) {
            const result = yield which(tool, false);
            if (!result) {
                if (IS_WINDOWS) {
                    throw new Error(`Unable to locate executable file: ${tool}. Please verify either the file path exists or the file can be found within a directory specified by the PATH environment variable. Also verify the file has a valid extension for an executable file.`);
                }
                else {
                    throw new Error(`Unable to locate executable file: ${tool}. Please verify either the file path exists or the file can be found within a directory specified by the PATH environment variable. Also check the file mode to verify the file is executable.`);
                }
            }
            return result;
        }
        const matches = yield findInPath(tool);
        if (matches && matches.length > 0) {
            return matches[0];
        }
        return '';
    });
}
/**
 * Returns a list of all occurrences of the given tool on the system path.
 *
 * @returns   Promise<string[]>  the paths of the tool
 */
function findInPath(tool) {
    return io_awaiter(this, void 0, void 0, function* () {
        if (!tool) {
            throw new Error("parameter 'tool' is required");
        }
        // build the list of extensions to try
        const extensions = [];
        if (IS_WINDOWS && process.env['PATHEXT']) {
            for (const extension of process.env['PATHEXT'].split(external_path_.delimiter)) {
                if (extension) {
                    extensions.push(extension);
                }
            }
        }
        // if it's rooted, return it if exists. otherwise return empty.
        if (isRooted(tool)) {
            const filePath = yield tryGetExecutablePath(tool, extensions);
            if (filePath) {
                return [filePath];
            }
            return [];
        }
        // if any path separators, return empty
        if (tool.includes(external_path_.sep)) {
            return [];
        }
        // build the list of directories
        //
        // Note, technically "where" checks the current directory on Windows. From a toolkit perspective,
        // it feels like we should not do this. Checking the current directory seems like more of a use
        // case of a shell, and the which() function exposed by the toolkit should strive for consistency
        // across platforms.
        const directories = [];
        if (process.env.PATH) {
            for (const p of process.env.PATH.split(external_path_.delimiter)) {
                if (p) {
                    directories.push(p);
                }
            }
        }
        // find all matches
        const matches = [];
        for (const directory of directories) {
            const filePath = yield tryGetExecutablePath(external_path_.join(directory, tool), extensions);
            if (filePath) {
                matches.push(filePath);
            }
        }
        return matches;
    });
}
function readCopyOptions(options) {
    const force = options.force == null ? true : options.force;
    const recursive = Boolean(options.recursive);
    const copySourceDirectory = options.copySourceDirectory == null
        ? true
        : Boolean(options.copySourceDirectory);
    return { force, recursive, copySourceDirectory };
}
function cpDirRecursive(sourceDir, destDir, currentDepth, force) {
    return io_awaiter(this, void 0, void 0, function* () {
        // Ensure there is not a run away recursive copy
        if (currentDepth >= 255)
            return;
        currentDepth++;
        yield mkdirP(destDir);
        const files = yield ioUtil.readdir(sourceDir);
        for (const fileName of files) {
            const srcFile = `${sourceDir}/${fileName}`;
            const destFile = `${destDir}/${fileName}`;
            const srcFileStat = yield ioUtil.lstat(srcFile);
            if (srcFileStat.isDirectory()) {
                // Recurse
                yield cpDirRecursive(srcFile, destFile, currentDepth, force);
            }
            else {
                yield io_copyFile(srcFile, destFile, force);
            }
        }
        // Change the mode for the newly created directory
        yield ioUtil.chmod(destDir, (yield ioUtil.stat(sourceDir)).mode);
    });
}
// Buffered file copy
function io_copyFile(srcFile, destFile, force) {
    return io_awaiter(this, void 0, void 0, function* () {
        if ((yield ioUtil.lstat(srcFile)).isSymbolicLink()) {
            // unlink/re-link it
            try {
                yield ioUtil.lstat(destFile);
                yield ioUtil.unlink(destFile);
            }
            catch (e) {
                // Try to override file permission
                if (e.code === 'EPERM') {
                    yield ioUtil.chmod(destFile, '0666');
                    yield ioUtil.unlink(destFile);
                }
                // other errors = it doesn't exist, no work to do
            }
            // Copy over symlink
            const symlinkFull = yield ioUtil.readlink(srcFile);
            yield ioUtil.symlink(symlinkFull, destFile, ioUtil.IS_WINDOWS ? 'junction' : null);
        }
        else if (!(yield ioUtil.exists(destFile)) || force) {
            yield ioUtil.copyFile(srcFile, destFile);
        }
    });
}
//# sourceMappingURL=io.js.map
;// CONCATENATED MODULE: external "timers"
const external_timers_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("timers");
;// CONCATENATED MODULE: ./node_modules/@actions/exec/lib/toolrunner.js
var toolrunner_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};







/* eslint-disable @typescript-eslint/unbound-method */
const toolrunner_IS_WINDOWS = process.platform === 'win32';
/*
 * Class for running command line tools. Handles quoting and arg parsing in a platform agnostic way.
 */
class ToolRunner extends external_events_.EventEmitter {
    constructor(toolPath, args, options) {
        super();
        if (!toolPath) {
            throw new Error("Parameter 'toolPath' cannot be null or empty.");
        }
        this.toolPath = toolPath;
        this.args = args || [];
        this.options = options || {};
    }
    _debug(message) {
        if (this.options.listeners && this.options.listeners.debug) {
            this.options.listeners.debug(message);
        }
    }
    _getCommandString(options, noPrefix) {
        const toolPath = this._getSpawnFileName();
        const args = this._getSpawnArgs(options);
        let cmd = noPrefix ? '' : '[command]'; // omit prefix when piped to a second tool
        if (toolrunner_IS_WINDOWS) {
            // Windows + cmd file
            if (this._isCmdFile()) {
                cmd += toolPath;
                for (const a of args) {
                    cmd += ` ${a}`;
                }
            }
            // Windows + verbatim
            else if (options.windowsVerbatimArguments) {
                cmd += `"${toolPath}"`;
                for (const a of args) {
                    cmd += ` ${a}`;
                }
            }
            // Windows (regular)
            else {
                cmd += this._windowsQuoteCmdArg(toolPath);
                for (const a of args) {
                    cmd += ` ${this._windowsQuoteCmdArg(a)}`;
                }
            }
        }
        else {
            // OSX/Linux - this can likely be improved with some form of quoting.
            // creating processes on Unix is fundamentally different than Windows.
            // on Unix, execvp() takes an arg array.
            cmd += toolPath;
            for (const a of args) {
                cmd += ` ${a}`;
            }
        }
        return cmd;
    }
    _processLineBuffer(data, strBuffer, onLine) {
        try {
            let s = strBuffer + data.toString();
            let n = s.indexOf(external_os_.EOL);
            while (n > -1) {
                const line = s.substring(0, n);
                onLine(line);
                // the rest of the string ...
                s = s.substring(n + external_os_.EOL.length);
                n = s.indexOf(external_os_.EOL);
            }
            return s;
        }
        catch (err) {
            // streaming lines to console is best effort.  Don't fail a build.
            this._debug(`error processing line. Failed with error ${err}`);
            return '';
        }
    }
    _getSpawnFileName() {
        if (toolrunner_IS_WINDOWS) {
            if (this._isCmdFile()) {
                return process.env['COMSPEC'] || 'cmd.exe';
            }
        }
        return this.toolPath;
    }
    _getSpawnArgs(options) {
        if (toolrunner_IS_WINDOWS) {
            if (this._isCmdFile()) {
                let argline = `/D /S /C "${this._windowsQuoteCmdArg(this.toolPath)}`;
                for (const a of this.args) {
                    argline += ' ';
                    argline += options.windowsVerbatimArguments
                        ? a
                        : this._windowsQuoteCmdArg(a);
                }
                argline += '"';
                return [argline];
            }
        }
        return this.args;
    }
    _endsWith(str, end) {
        return str.endsWith(end);
    }
    _isCmdFile() {
        const upperToolPath = this.toolPath.toUpperCase();
        return (this._endsWith(upperToolPath, '.CMD') ||
            this._endsWith(upperToolPath, '.BAT'));
    }
    _windowsQuoteCmdArg(arg) {
        // for .exe, apply the normal quoting rules that libuv applies
        if (!this._isCmdFile()) {
            return this._uvQuoteCmdArg(arg);
        }
        // otherwise apply quoting rules specific to the cmd.exe command line parser.
        // the libuv rules are generic and are not designed specifically for cmd.exe
        // command line parser.
        //
        // for a detailed description of the cmd.exe command line parser, refer to
        // http://stackoverflow.com/questions/4094699/how-does-the-windows-command-interpreter-cmd-exe-parse-scripts/7970912#7970912
        // need quotes for empty arg
        if (!arg) {
            return '""';
        }
        // determine whether the arg needs to be quoted
        const cmdSpecialChars = [
            ' ',
            '\t',
            '&',
            '(',
            ')',
            '[',
            ']',
            '{',
            '}',
            '^',
            '=',
            ';',
            '!',
            "'",
            '+',
            ',',
            '`',
            '~',
            '|',
            '<',
            '>',
            '"'
        ];
        let needsQuotes = false;
        for (const char of arg) {
            if (cmdSpecialChars.some(x => x === char)) {
                needsQuotes = true;
                break;
            }
        }
        // short-circuit if quotes not needed
        if (!needsQuotes) {
            return arg;
        }
        // the following quoting rules are very similar to the rules that by libuv applies.
        //
        // 1) wrap the string in quotes
        //
        // 2) double-up quotes - i.e. " => ""
        //
        //    this is different from the libuv quoting rules. libuv replaces " with \", which unfortunately
        //    doesn't work well with a cmd.exe command line.
        //
        //    note, replacing " with "" also works well if the arg is passed to a downstream .NET console app.
        //    for example, the command line:
        //          foo.exe "myarg:""my val"""
        //    is parsed by a .NET console app into an arg array:
        //          [ "myarg:\"my val\"" ]
        //    which is the same end result when applying libuv quoting rules. although the actual
        //    command line from libuv quoting rules would look like:
        //          foo.exe "myarg:\"my val\""
        //
        // 3) double-up slashes that precede a quote,
        //    e.g.  hello \world    => "hello \world"
        //          hello\"world    => "hello\\""world"
        //          hello\\"world   => "hello\\\\""world"
        //          hello world\    => "hello world\\"
        //
        //    technically this is not required for a cmd.exe command line, or the batch argument parser.
        //    the reasons for including this as a .cmd quoting rule are:
        //
        //    a) this is optimized for the scenario where the argument is passed from the .cmd file to an
        //       external program. many programs (e.g. .NET console apps) rely on the slash-doubling rule.
        //
        //    b) it's what we've been doing previously (by deferring to node default behavior) and we
        //       haven't heard any complaints about that aspect.
        //
        // note, a weakness of the quoting rules chosen here, is that % is not escaped. in fact, % cannot be
        // escaped when used on the command line directly - even though within a .cmd file % can be escaped
        // by using %%.
        //
        // the saving grace is, on the command line, %var% is left as-is if var is not defined. this contrasts
        // the line parsing rules within a .cmd file, where if var is not defined it is replaced with nothing.
        //
        // one option that was explored was replacing % with ^% - i.e. %var% => ^%var^%. this hack would
        // often work, since it is unlikely that var^ would exist, and the ^ character is removed when the
        // variable is used. the problem, however, is that ^ is not removed when %* is used to pass the args
        // to an external program.
        //
        // an unexplored potential solution for the % escaping problem, is to create a wrapper .cmd file.
        // % can be escaped within a .cmd file.
        let reverse = '"';
        let quoteHit = true;
        for (let i = arg.length; i > 0; i--) {
            // walk the string in reverse
            reverse += arg[i - 1];
            if (quoteHit && arg[i - 1] === '\\') {
                reverse += '\\'; // double the slash
            }
            else if (arg[i - 1] === '"') {
                quoteHit = true;
                reverse += '"'; // double the quote
            }
            else {
                quoteHit = false;
            }
        }
        reverse += '"';
        return reverse.split('').reverse().join('');
    }
    _uvQuoteCmdArg(arg) {
        // Tool runner wraps child_process.spawn() and needs to apply the same quoting as
        // Node in certain cases where the undocumented spawn option windowsVerbatimArguments
        // is used.
        //
        // Since this function is a port of quote_cmd_arg from Node 4.x (technically, lib UV,
        // see https://github.com/nodejs/node/blob/v4.x/deps/uv/src/win/process.c for details),
        // pasting copyright notice from Node within this function:
        //
        //      Copyright Joyent, Inc. and other Node contributors. All rights reserved.
        //
        //      Permission is hereby granted, free of charge, to any person obtaining a copy
        //      of this software and associated documentation files (the "Software"), to
        //      deal in the Software without restriction, including without limitation the
        //      rights to use, copy, modify, merge, publish, distribute, sublicense, and/or
        //      sell copies of the Software, and to permit persons to whom the Software is
        //      furnished to do so, subject to the following conditions:
        //
        //      The above copyright notice and this permission notice shall be included in
        //      all copies or substantial portions of the Software.
        //
        //      THE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR
        //      IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
        //      FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE
        //      AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER
        //      LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING
        //      FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS
        //      IN THE SOFTWARE.
        if (!arg) {
            // Need double quotation for empty argument
            return '""';
        }
        if (!arg.includes(' ') && !arg.includes('\t') && !arg.includes('"')) {
            // No quotation needed
            return arg;
        }
        if (!arg.includes('"') && !arg.includes('\\')) {
            // No embedded double quotes or backslashes, so I can just wrap
            // quote marks around the whole thing.
            return `"${arg}"`;
        }
        // Expected input/output:
        //   input : hello"world
        //   output: "hello\"world"
        //   input : hello""world
        //   output: "hello\"\"world"
        //   input : hello\world
        //   output: hello\world
        //   input : hello\\world
        //   output: hello\\world
        //   input : hello\"world
        //   output: "hello\\\"world"
        //   input : hello\\"world
        //   output: "hello\\\\\"world"
        //   input : hello world\
        //   output: "hello world\\" - note the comment in libuv actually reads "hello world\"
        //                             but it appears the comment is wrong, it should be "hello world\\"
        let reverse = '"';
        let quoteHit = true;
        for (let i = arg.length; i > 0; i--) {
            // walk the string in reverse
            reverse += arg[i - 1];
            if (quoteHit && arg[i - 1] === '\\') {
                reverse += '\\';
            }
            else if (arg[i - 1] === '"') {
                quoteHit = true;
                reverse += '\\';
            }
            else {
                quoteHit = false;
            }
        }
        reverse += '"';
        return reverse.split('').reverse().join('');
    }
    _cloneExecOptions(options) {
        options = options || {};
        const result = {
            cwd: options.cwd || process.cwd(),
            env: options.env || process.env,
            silent: options.silent || false,
            windowsVerbatimArguments: options.windowsVerbatimArguments || false,
            failOnStdErr: options.failOnStdErr || false,
            ignoreReturnCode: options.ignoreReturnCode || false,
            delay: options.delay || 10000
        };
        result.outStream = options.outStream || process.stdout;
        result.errStream = options.errStream || process.stderr;
        return result;
    }
    _getSpawnOptions(options, toolPath) {
        options = options || {};
        const result = {};
        result.cwd = options.cwd;
        result.env = options.env;
        result['windowsVerbatimArguments'] =
            options.windowsVerbatimArguments || this._isCmdFile();
        if (options.windowsVerbatimArguments) {
            result.argv0 = `"${toolPath}"`;
        }
        return result;
    }
    /**
     * Exec a tool.
     * Output will be streamed to the live console.
     * Returns promise with return code
     *
     * @param     tool     path to tool to exec
     * @param     options  optional exec options.  See ExecOptions
     * @returns   number
     */
    exec() {
        return toolrunner_awaiter(this, void 0, void 0, function* () {
            // root the tool path if it is unrooted and contains relative pathing
            if (!isRooted(this.toolPath) &&
                (this.toolPath.includes('/') ||
                    (toolrunner_IS_WINDOWS && this.toolPath.includes('\\')))) {
                // prefer options.cwd if it is specified, however options.cwd may also need to be rooted
                this.toolPath = external_path_.resolve(process.cwd(), this.options.cwd || process.cwd(), this.toolPath);
            }
            // if the tool is only a file name, then resolve it from the PATH
            // otherwise verify it exists (add extension on Windows if necessary)
            this.toolPath = yield which(this.toolPath, true);
            return new Promise((resolve, reject) => toolrunner_awaiter(this, void 0, void 0, function* () {
                this._debug(`exec tool: ${this.toolPath}`);
                this._debug('arguments:');
                for (const arg of this.args) {
                    this._debug(`   ${arg}`);
                }
                const optionsNonNull = this._cloneExecOptions(this.options);
                if (!optionsNonNull.silent && optionsNonNull.outStream) {
                    optionsNonNull.outStream.write(this._getCommandString(optionsNonNull) + external_os_.EOL);
                }
                const state = new ExecState(optionsNonNull, this.toolPath);
                state.on('debug', (message) => {
                    this._debug(message);
                });
                if (this.options.cwd && !(yield exists(this.options.cwd))) {
                    return reject(new Error(`The cwd: ${this.options.cwd} does not exist!`));
                }
                const fileName = this._getSpawnFileName();
                const cp = external_child_process_namespaceObject.spawn(fileName, this._getSpawnArgs(optionsNonNull), this._getSpawnOptions(this.options, fileName));
                let stdbuffer = '';
                if (cp.stdout) {
                    cp.stdout.on('data', (data) => {
                        if (this.options.listeners && this.options.listeners.stdout) {
                            this.options.listeners.stdout(data);
                        }
                        if (!optionsNonNull.silent && optionsNonNull.outStream) {
                            optionsNonNull.outStream.write(data);
                        }
                        stdbuffer = this._processLineBuffer(data, stdbuffer, (line) => {
                            if (this.options.listeners && this.options.listeners.stdline) {
                                this.options.listeners.stdline(line);
                            }
                        });
                    });
                }
                let errbuffer = '';
                if (cp.stderr) {
                    cp.stderr.on('data', (data) => {
                        state.processStderr = true;
                        if (this.options.listeners && this.options.listeners.stderr) {
                            this.options.listeners.stderr(data);
                        }
                        if (!optionsNonNull.silent &&
                            optionsNonNull.errStream &&
                            optionsNonNull.outStream) {
                            const s = optionsNonNull.failOnStdErr
                                ? optionsNonNull.errStream
                                : optionsNonNull.outStream;
                            s.write(data);
                        }
                        errbuffer = this._processLineBuffer(data, errbuffer, (line) => {
                            if (this.options.listeners && this.options.listeners.errline) {
                                this.options.listeners.errline(line);
                            }
                        });
                    });
                }
                cp.on('error', (err) => {
                    state.processError = err.message;
                    state.processExited = true;
                    state.processClosed = true;
                    state.CheckComplete();
                });
                cp.on('exit', (code) => {
                    state.processExitCode = code;
                    state.processExited = true;
                    this._debug(`Exit code ${code} received from tool '${this.toolPath}'`);
                    state.CheckComplete();
                });
                cp.on('close', (code) => {
                    state.processExitCode = code;
                    state.processExited = true;
                    state.processClosed = true;
                    this._debug(`STDIO streams have closed for tool '${this.toolPath}'`);
                    state.CheckComplete();
                });
                state.on('done', (error, exitCode) => {
                    if (stdbuffer.length > 0) {
                        this.emit('stdline', stdbuffer);
                    }
                    if (errbuffer.length > 0) {
                        this.emit('errline', errbuffer);
                    }
                    cp.removeAllListeners();
                    if (error) {
                        reject(error);
                    }
                    else {
                        resolve(exitCode);
                    }
                });
                if (this.options.input) {
                    if (!cp.stdin) {
                        throw new Error('child process missing stdin');
                    }
                    cp.stdin.end(this.options.input);
                }
            }));
        });
    }
}
/**
 * Convert an arg string to an array of args. Handles escaping
 *
 * @param    argString   string of arguments
 * @returns  string[]    array of arguments
 */
function argStringToArray(argString) {
    const args = [];
    let inQuotes = false;
    let escaped = false;
    let arg = '';
    function append(c) {
        // we only escape double quotes.
        if (escaped && c !== '"') {
            arg += '\\';
        }
        arg += c;
        escaped = false;
    }
    for (let i = 0; i < argString.length; i++) {
        const c = argString.charAt(i);
        if (c === '"') {
            if (!escaped) {
                inQuotes = !inQuotes;
            }
            else {
                append(c);
            }
            continue;
        }
        if (c === '\\' && escaped) {
            append(c);
            continue;
        }
        if (c === '\\' && inQuotes) {
            escaped = true;
            continue;
        }
        if (c === ' ' && !inQuotes) {
            if (arg.length > 0) {
                args.push(arg);
                arg = '';
            }
            continue;
        }
        append(c);
    }
    if (arg.length > 0) {
        args.push(arg.trim());
    }
    return args;
}
class ExecState extends external_events_.EventEmitter {
    constructor(options, toolPath) {
        super();
        this.processClosed = false; // tracks whether the process has exited and stdio is closed
        this.processError = '';
        this.processExitCode = 0;
        this.processExited = false; // tracks whether the process has exited
        this.processStderr = false; // tracks whether stderr was written to
        this.delay = 10000; // 10 seconds
        this.done = false;
        this.timeout = null;
        if (!toolPath) {
            throw new Error('toolPath must not be empty');
        }
        this.options = options;
        this.toolPath = toolPath;
        if (options.delay) {
            this.delay = options.delay;
        }
    }
    CheckComplete() {
        if (this.done) {
            return;
        }
        if (this.processClosed) {
            this._setResult();
        }
        else if (this.processExited) {
            this.timeout = (0,external_timers_namespaceObject.setTimeout)(ExecState.HandleTimeout, this.delay, this);
        }
    }
    _debug(message) {
        this.emit('debug', message);
    }
    _setResult() {
        // determine whether there is an error
        let error;
        if (this.processExited) {
            if (this.processError) {
                error = new Error(`There was an error when attempting to execute the process '${this.toolPath}'. This may indicate the process failed to start. Error: ${this.processError}`);
            }
            else if (this.processExitCode !== 0 && !this.options.ignoreReturnCode) {
                error = new Error(`The process '${this.toolPath}' failed with exit code ${this.processExitCode}`);
            }
            else if (this.processStderr && this.options.failOnStdErr) {
                error = new Error(`The process '${this.toolPath}' failed because one or more lines were written to the STDERR stream`);
            }
        }
        // clear the timeout
        if (this.timeout) {
            clearTimeout(this.timeout);
            this.timeout = null;
        }
        this.done = true;
        this.emit('done', error, this.processExitCode);
    }
    static HandleTimeout(state) {
        if (state.done) {
            return;
        }
        if (!state.processClosed && state.processExited) {
            const message = `The STDIO streams did not close within ${state.delay / 1000} seconds of the exit event from process '${state.toolPath}'. This may indicate a child process inherited the STDIO streams and has not yet exited.`;
            state._debug(message);
        }
        state._setResult();
    }
}
//# sourceMappingURL=toolrunner.js.map
;// CONCATENATED MODULE: ./node_modules/@actions/exec/lib/exec.js
var exec_awaiter = (undefined && undefined.__awaiter) || function (thisArg, _arguments, P, generator) {
    function adopt(value) { return value instanceof P ? value : new P(function (resolve) { resolve(value); }); }
    return new (P || (P = Promise))(function (resolve, reject) {
        function fulfilled(value) { try { step(generator.next(value)); } catch (e) { reject(e); } }
        function rejected(value) { try { step(generator["throw"](value)); } catch (e) { reject(e); } }
        function step(result) { result.done ? resolve(result.value) : adopt(result.value).then(fulfilled, rejected); }
        step((generator = generator.apply(thisArg, _arguments || [])).next());
    });
};


/**
 * Exec a command.
 * Output will be streamed to the live console.
 * Returns promise with return code
 *
 * @param     commandLine        command to execute (can include additional args). Must be correctly escaped.
 * @param     args               optional arguments for tool. Escaping is handled by the lib.
 * @param     options            optional exec options.  See ExecOptions
 * @returns   Promise<number>    exit code
 */
function exec(commandLine, args, options) {
    return exec_awaiter(this, void 0, void 0, function* () {
        const commandArgs = argStringToArray(commandLine);
        if (commandArgs.length === 0) {
            throw new Error(`Parameter 'commandLine' cannot be null or empty.`);
        }
        // Path to tool to execute should be first arg
        const toolPath = commandArgs[0];
        args = commandArgs.slice(1).concat(args || []);
        const runner = new ToolRunner(toolPath, args, options);
        return runner.exec();
    });
}
/**
 * Exec a command and get the output.
 * Output will be streamed to the live console.
 * Returns promise with the exit code and collected stdout and stderr
 *
 * @param     commandLine           command to execute (can include additional args). Must be correctly escaped.
 * @param     args                  optional arguments for tool. Escaping is handled by the lib.
 * @param     options               optional exec options.  See ExecOptions
 * @returns   Promise<ExecOutput>   exit code, stdout, and stderr
 */
function getExecOutput(commandLine, args, options) {
    return exec_awaiter(this, void 0, void 0, function* () {
        var _a, _b;
        let stdout = '';
        let stderr = '';
        //Using string decoder covers the case where a mult-byte character is split
        const stdoutDecoder = new external_string_decoder_.StringDecoder('utf8');
        const stderrDecoder = new external_string_decoder_.StringDecoder('utf8');
        const originalStdoutListener = (_a = options === null || options === void 0 ? void 0 : options.listeners) === null || _a === void 0 ? void 0 : _a.stdout;
        const originalStdErrListener = (_b = options === null || options === void 0 ? void 0 : options.listeners) === null || _b === void 0 ? void 0 : _b.stderr;
        const stdErrListener = (data) => {
            stderr += stderrDecoder.write(data);
            if (originalStdErrListener) {
                originalStdErrListener(data);
            }
        };
        const stdOutListener = (data) => {
            stdout += stdoutDecoder.write(data);
            if (originalStdoutListener) {
                originalStdoutListener(data);
            }
        };
        const listeners = Object.assign(Object.assign({}, options === null || options === void 0 ? void 0 : options.listeners), { stdout: stdOutListener, stderr: stdErrListener });
        const exitCode = yield exec(commandLine, args, Object.assign(Object.assign({}, options), { listeners }));
        //flush any remaining characters
        stdout += stdoutDecoder.end();
        stderr += stderrDecoder.end();
        return {
            exitCode,
            stdout,
            stderr
        };
    });
}
//# sourceMappingURL=exec.js.map

/***/ })

/******/ });
/************************************************************************/
/******/ // The module cache
/******/ var __webpack_module_cache__ = {};
/******/ 
/******/ // The require function
/******/ function __nccwpck_require__(moduleId) {
/******/ 	// Check if module is in cache
/******/ 	var cachedModule = __webpack_module_cache__[moduleId];
/******/ 	if (cachedModule !== undefined) {
/******/ 		return cachedModule.exports;
/******/ 	}
/******/ 	// Create a new module (and put it into the cache)
/******/ 	var module = __webpack_module_cache__[moduleId] = {
/******/ 		// no module.id needed
/******/ 		// no module.loaded needed
/******/ 		exports: {}
/******/ 	};
/******/ 
/******/ 	// Execute the module function
/******/ 	var threw = true;
/******/ 	try {
/******/ 		__webpack_modules__[moduleId].call(module.exports, module, module.exports, __nccwpck_require__);
/******/ 		threw = false;
/******/ 	} finally {
/******/ 		if(threw) delete __webpack_module_cache__[moduleId];
/******/ 	}
/******/ 
/******/ 	// Return the exports of the module
/******/ 	return module.exports;
/******/ }
/******/ 
/******/ // expose the modules object (__webpack_modules__)
/******/ __nccwpck_require__.m = __webpack_modules__;
/******/ 
/************************************************************************/
/******/ /* webpack/runtime/asset-relocator-loader */
/******/ if (typeof __nccwpck_require__ !== 'undefined') __nccwpck_require__.ab = decodeURIComponent(new URL('.', import.meta.url).pathname).slice(import.meta.url.match(/^file:\/\/\/\w:/) ? 1 : 0, -1) + "/";
/******/ 
/******/ /* webpack/runtime/async module */
/******/ (() => {
/******/ 	var webpackQueues = typeof Symbol === "function" ? Symbol("webpack queues") : "__webpack_queues__";
/******/ 	var webpackExports = typeof Symbol === "function" ? Symbol("webpack exports") : "__webpack_exports__";
/******/ 	var webpackError = typeof Symbol === "function" ? Symbol("webpack error") : "__webpack_error__";
/******/ 	var resolveQueue = (queue) => {
/******/ 		if(queue && queue.d < 1) {
/******/ 			queue.d = 1;
/******/ 			queue.forEach((fn) => (fn.r--));
/******/ 			queue.forEach((fn) => (fn.r-- ? fn.r++ : fn()));
/******/ 		}
/******/ 	}
/******/ 	var wrapDeps = (deps) => (deps.map((dep) => {
/******/ 		if(dep !== null && typeof dep === "object") {
/******/ 			if(dep[webpackQueues]) return dep;
/******/ 			if(dep.then) {
/******/ 				var queue = [];
/******/ 				queue.d = 0;
/******/ 				dep.then((r) => {
/******/ 					obj[webpackExports] = r;
/******/ 					resolveQueue(queue);
/******/ 				}, (e) => {
/******/ 					obj[webpackError] = e;
/******/ 					resolveQueue(queue);
/******/ 				});
/******/ 				var obj = {};
/******/ 				obj[webpackQueues] = (fn) => (fn(queue));
/******/ 				return obj;
/******/ 			}
/******/ 		}
/******/ 		var ret = {};
/******/ 		ret[webpackQueues] = x => {};
/******/ 		ret[webpackExports] = dep;
/******/ 		return ret;
/******/ 	}));
/******/ 	__nccwpck_require__.a = (module, body, hasAwait) => {
/******/ 		var queue;
/******/ 		hasAwait && ((queue = []).d = -1);
/******/ 		var depQueues = new Set();
/******/ 		var exports = module.exports;
/******/ 		var currentDeps;
/******/ 		var outerResolve;
/******/ 		var reject;
/******/ 		var promise = new Promise((resolve, rej) => {
/******/ 			reject = rej;
/******/ 			outerResolve = resolve;
/******/ 		});
/******/ 		promise[webpackExports] = exports;
/******/ 		promise[webpackQueues] = (fn) => (queue && fn(queue), depQueues.forEach(fn), promise["catch"](x => {}));
/******/ 		module.exports = promise;
/******/ 		body((deps) => {
/******/ 			currentDeps = wrapDeps(deps);
/******/ 			var fn;
/******/ 			var getResult = () => (currentDeps.map((d) => {
/******/ 				if(d[webpackError]) throw d[webpackError];
/******/ 				return d[webpackExports];
/******/ 			}))
/******/ 			var promise = new Promise((resolve) => {
/******/ 				fn = () => (resolve(getResult));
/******/ 				fn.r = 0;
/******/ 				var fnQueue = (q) => (q !== queue && !depQueues.has(q) && (depQueues.add(q), q && !q.d && (fn.r++, q.push(fn))));
/******/ 				currentDeps.map((dep) => (dep[webpackQueues](fnQueue)));
/******/ 			});
/******/ 			return fn.r ? promise : getResult();
/******/ 		}, (err) => ((err ? reject(promise[webpackError] = err) : outerResolve(exports)), resolveQueue(queue)));
/******/ 		queue && queue.d < 0 && (queue.d = 0);
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/compat get default export */
/******/ (() => {
/******/ 	// getDefaultExport function for compatibility with non-harmony modules
/******/ 	__nccwpck_require__.n = (module) => {
/******/ 		var getter = module && module.__esModule ?
/******/ 			() => (module['default']) :
/******/ 			() => (module);
/******/ 		__nccwpck_require__.d(getter, { a: getter });
/******/ 		return getter;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/create fake namespace object */
/******/ (() => {
/******/ 	var getProto = Object.getPrototypeOf ? (obj) => (Object.getPrototypeOf(obj)) : (obj) => (obj.__proto__);
/******/ 	var leafPrototypes;
/******/ 	// create a fake namespace object
/******/ 	// mode & 1: value is a module id, require it
/******/ 	// mode & 2: merge all properties of value into the ns
/******/ 	// mode & 4: return value when already ns object
/******/ 	// mode & 16: return value when it's Promise-like
/******/ 	// mode & 8|1: behave like require
/******/ 	__nccwpck_require__.t = function(value, mode) {
/******/ 		if(mode & 1) value = this(value);
/******/ 		if(mode & 8) return value;
/******/ 		if(typeof value === 'object' && value) {
/******/ 			if((mode & 4) && value.__esModule) return value;
/******/ 			if((mode & 16) && typeof value.then === 'function') return value;
/******/ 		}
/******/ 		var ns = Object.create(null);
/******/ 		__nccwpck_require__.r(ns);
/******/ 		var def = {};
/******/ 		leafPrototypes = leafPrototypes || [null, getProto({}), getProto([]), getProto(getProto)];
/******/ 		for(var current = mode & 2 && value; typeof current == 'object' && !~leafPrototypes.indexOf(current); current = getProto(current)) {
/******/ 			Object.getOwnPropertyNames(current).forEach((key) => (def[key] = () => (value[key])));
/******/ 		}
/******/ 		def['default'] = () => (value);
/******/ 		__nccwpck_require__.d(ns, def);
/******/ 		return ns;
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/define property getters */
/******/ (() => {
/******/ 	// define getter functions for harmony exports
/******/ 	__nccwpck_require__.d = (exports, definition) => {
/******/ 		for(var key in definition) {
/******/ 			if(__nccwpck_require__.o(definition, key) && !__nccwpck_require__.o(exports, key)) {
/******/ 				Object.defineProperty(exports, key, { enumerable: true, get: definition[key] });
/******/ 			}
/******/ 		}
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/ensure chunk */
/******/ (() => {
/******/ 	__nccwpck_require__.f = {};
/******/ 	// This file contains only the entry chunk.
/******/ 	// The chunk loading function for additional chunks
/******/ 	__nccwpck_require__.e = (chunkId) => {
/******/ 		return Promise.all(Object.keys(__nccwpck_require__.f).reduce((promises, key) => {
/******/ 			__nccwpck_require__.f[key](chunkId, promises);
/******/ 			return promises;
/******/ 		}, []));
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/get javascript chunk filename */
/******/ (() => {
/******/ 	// This function allow to reference async chunks
/******/ 	__nccwpck_require__.u = (chunkId) => {
/******/ 		// return url for filenames based on template
/******/ 		return "" + chunkId + ".index.js";
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/hasOwnProperty shorthand */
/******/ (() => {
/******/ 	__nccwpck_require__.o = (obj, prop) => (Object.prototype.hasOwnProperty.call(obj, prop))
/******/ })();
/******/ 
/******/ /* webpack/runtime/make namespace object */
/******/ (() => {
/******/ 	// define __esModule on exports
/******/ 	__nccwpck_require__.r = (exports) => {
/******/ 		if(typeof Symbol !== 'undefined' && Symbol.toStringTag) {
/******/ 			Object.defineProperty(exports, Symbol.toStringTag, { value: 'Module' });
/******/ 		}
/******/ 		Object.defineProperty(exports, '__esModule', { value: true });
/******/ 	};
/******/ })();
/******/ 
/******/ /* webpack/runtime/import chunk loading */
/******/ (() => {
/******/ 	// no baseURI
/******/ 	
/******/ 	// object to store loaded and loading chunks
/******/ 	// undefined = chunk not loaded, null = chunk preloaded/prefetched
/******/ 	// [resolve, Promise] = chunk loading, 0 = chunk loaded
/******/ 	var installedChunks = {
/******/ 		792: 0
/******/ 	};
/******/ 	
/******/ 	var installChunk = (data) => {
/******/ 		var {ids, modules, runtime} = data;
/******/ 		// add "modules" to the modules object,
/******/ 		// then flag all "ids" as loaded and fire callback
/******/ 		var moduleId, chunkId, i = 0;
/******/ 		for(moduleId in modules) {
/******/ 			if(__nccwpck_require__.o(modules, moduleId)) {
/******/ 				__nccwpck_require__.m[moduleId] = modules[moduleId];
/******/ 			}
/******/ 		}
/******/ 		if(runtime) runtime(__nccwpck_require__);
/******/ 		for(;i < ids.length; i++) {
/******/ 			chunkId = ids[i];
/******/ 			if(__nccwpck_require__.o(installedChunks, chunkId) && installedChunks[chunkId]) {
/******/ 				installedChunks[chunkId][0]();
/******/ 			}
/******/ 			installedChunks[ids[i]] = 0;
/******/ 		}
/******/ 	
/******/ 	}
/******/ 	
/******/ 	__nccwpck_require__.f.j = (chunkId, promises) => {
/******/ 			// import() chunk loading for javascript
/******/ 			var installedChunkData = __nccwpck_require__.o(installedChunks, chunkId) ? installedChunks[chunkId] : undefined;
/******/ 			if(installedChunkData !== 0) { // 0 means "already installed".
/******/ 	
/******/ 				// a Promise means "currently loading".
/******/ 				if(installedChunkData) {
/******/ 					promises.push(installedChunkData[1]);
/******/ 				} else {
/******/ 					if(true) { // all chunks have JS
/******/ 						// setup Promise in chunk cache
/******/ 						var promise = import("./" + __nccwpck_require__.u(chunkId)).then(installChunk, (e) => {
/******/ 							if(installedChunks[chunkId] !== 0) installedChunks[chunkId] = undefined;
/******/ 							throw e;
/******/ 						});
/******/ 						var promise = Promise.race([promise, new Promise((resolve) => (installedChunkData = installedChunks[chunkId] = [resolve]))])
/******/ 						promises.push(installedChunkData[1] = promise);
/******/ 					}
/******/ 				}
/******/ 			}
/******/ 	};
/******/ 	
/******/ 	// no prefetching
/******/ 	
/******/ 	// no preloaded
/******/ 	
/******/ 	// no external install chunk
/******/ 	
/******/ 	// no on chunks loaded
/******/ })();
/******/ 
/************************************************************************/
/******/ 
/******/ // startup
/******/ // Load entry module and return exports
/******/ // This entry module used 'module' so it can't be inlined
/******/ var __webpack_exports__ = __nccwpck_require__(9407);
/******/ __webpack_exports__ = await __webpack_exports__;
/******/ 
