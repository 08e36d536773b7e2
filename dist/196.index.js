export const id = 196;
export const ids = [196];
export const modules = {

/***/ 9196:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  runPipeline: () => (/* binding */ runPipeline)
});

// EXTERNAL MODULE: ./src/core.ts
var src_core = __webpack_require__(828);
// EXTERNAL MODULE: external "node:fs/promises"
var promises_ = __webpack_require__(1455);
// EXTERNAL MODULE: external "node:os"
var external_node_os_ = __webpack_require__(8161);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __webpack_require__(6760);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
;// CONCATENATED MODULE: ./src/outputs.ts
/**
 * Every output of the action, in action.yml's order with action.yml's descriptions (a unit test
 * holds the two together), and the one place that writes them. Stages return `Outputs`; main
 * writes them with `writeOutputs`. Nothing else calls setOutput.
 */

const OUTPUTS = {
    registry: 'Registry host, e.g. `123456789012.dkr.ecr.us-east-1.amazonaws.com`.',
    'repository-uri': '`<registry>/<repository>`.',
    'image-uri': '`<registry>/<repository>:<first tag>`.',
    'image-digest': 'Digest of what was pushed, as ECR reports it (`sha256:...`).',
    'image-ref': 'Digest-pinned reference `<registry>/<repository>@sha256:...`: deploy this.',
    tags: 'Tags pushed, comma-separated.',
    'aws-account-id': 'Account of the identity used.',
    'token-expires-at': 'Expiry of the ECR login token (ISO 8601).',
    'scan-type': '`BASIC`, `ENHANCED` or `NONE`.',
    'scan-status': "ECR's scan status for the digest, or `TIMEOUT`, `NOT_CONFIGURED`, `SKIPPED`.",
    'findings-critical': 'Counted `CRITICAL` findings (after `ignore` and `only-fixable`).',
    'findings-high': 'Counted `HIGH` findings.',
    'findings-medium': 'Counted `MEDIUM` findings.',
    'findings-low': 'Counted `LOW` findings.',
    'findings-informational': 'Counted `INFORMATIONAL` findings.',
    'findings-undefined': 'Counted `UNDEFINED` findings (including unknown severities such as `UNTRIAGED`).',
    'findings-total': 'Sum of the counted findings.',
    'findings-ignored': 'Findings suppressed by ignore entries.',
    findings: 'The counts as JSON, for `fromJSON`.',
    'highest-severity': 'Highest counted severity, or `NONE`.',
    gate: '`passed`, `failed`, `unavailable` or `skipped`.',
    'scan-coverage': "How the registry's scanning covers the repository: `CONTINUOUS_SCAN`, `SCAN_ON_PUSH` (enhanced), `BASIC_SCAN_ON_PUSH`, `BASIC_MANUAL`, `NONE`, or `UNKNOWN` (configuration not readable).",
    'sarif-file': 'Path of the SARIF file written, if any.',
    'report-file': 'Path of the full findings JSON written, if any.',
    'image-size': 'Bytes of the pushed image (compressed layers + config).',
    'layer-count': 'Number of layers.',
    'audit-file': 'Path of the audit JSON: layers, history, recovered Dockerfile, configuration, audit findings.',
    'secrets-found': 'Credentials found by the audit.',
};
function isOutputName(name) {
    return Object.hasOwn(OUTPUTS, name);
}
/** Outputs out of a plain record whose keys must all be output names (a bug otherwise). */
function pickOutputs(record) {
    const out = {};
    for (const [name, value] of Object.entries(record)) {
        if (!isOutputName(name))
            throw new Error(`internal error: '${name}' is not an output of this action`);
        out[name] = value;
    }
    return out;
}
/** Writes the outputs, in the order given. */
function writeOutputs(outputs) {
    for (const [name, value] of Object.entries(outputs)) {
        if (value !== undefined)
            src_core/* setOutput */.uH(name, value);
    }
}

;// CONCATENATED MODULE: ./src/stage.ts


/** A result with the parts given and nothing else. */
function stageResult(parts = {}) {
    const { outputs = {}, sections = {}, annotations = [], failure } = parts;
    return failure === undefined
        ? { outputs, sections, annotations }
        : { outputs, sections, annotations, failure };
}
/** Writes a result: its outputs, its annotations, its summary sections (into `report`). */
function publish(result, report) {
    writeOutputs(result.outputs);
    for (const a of result.annotations) {
        const props = a.title === undefined ? {} : { title: a.title };
        if (a.level === 'error')
            src_core/* error */.z3(a.message, props);
        else if (a.level === 'warning')
            src_core/* warning */.$e(a.message, props);
        else
            src_core/* notice */.lm(a.message, props);
    }
    report.addAll(result.sections);
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
var external_node_crypto_ = __webpack_require__(7598);
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
    // 1. Secrets first, so every text below is redacted before it goes anywhere.
    const found = findSecrets(facts, mask);
    const clean = (text) => redactText(text, found.hits);
    // 2. What is in it.
    const layers = layersOf(facts.history, facts.manifest?.layers, facts.diffIds).map((l) => l.instruction === undefined ? l : { ...l, instruction: clean(l.instruction) });
    const history = historyOf(facts, layers, clean);
    const dockerfile = clean(recoverDockerfile(facts.history, layers));
    const config = configOf(facts.config, found, clean);
    // 3. Warnings, most serious first.
    const secrets = summarize(found.hits);
    const warnings = warningsOf(secrets, config, facts.config.User ?? '', clean);
    warnings.push(...facts.notes);
    return {
        version: 1,
        image: imageOf(facts, layers.length),
        layers,
        history,
        dockerfile,
        config,
        secrets,
        warnings,
    };
}
/** Every credential in history, env, labels, entrypoint and cmd; each is masked as it is found. */
function findSecrets(facts, mask) {
    const hits = [];
    const onFound = (hit) => {
        for (const part of maskParts(hit.value))
            mask(part);
        hits.push(hit);
    };
    const cfg = facts.config;
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
    return { hits, env, envSecret };
}
/** The history, redacted, each entry with the layer it made. */
function historyOf(facts, layers, clean) {
    const layerOfHistory = new Map(layers.flatMap((l) => (l.historyIndex === undefined ? [] : [[l.historyIndex, l.index]])));
    return facts.history.map((h, i) => {
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
}
/** The runtime configuration, redacted; env values only where clearly harmless. */
function configOf(cfg, found, clean) {
    const user = cfg.User ?? '';
    const labels = {};
    for (const [k, v] of Object.entries(cfg.Labels ?? {}))
        labels[k] = clean(v);
    const ociLabels = {};
    for (const name of OCI_LABELS) {
        const value = labels[name];
        ociLabels[name] = value !== undefined && value !== '' ? { present: true, value } : { present: false };
    }
    const env = found.env.map(([name, value]) => isHarmlessEnv(name) && !found.envSecret.has(name)
        ? { name, value: clean(value), masked: false }
        : { name, masked: true });
    return {
        user: clean(user),
        runsAsRoot: isRootUser(user),
        entrypoint: cfg.Entrypoint ? cfg.Entrypoint.map(clean) : null,
        cmd: cfg.Cmd ? cfg.Cmd.map(clean) : null,
        exposedPorts: Object.keys(cfg.ExposedPorts ?? {}).sort(),
        workingDir: cfg.WorkingDir ?? '',
        volumes: Object.keys(cfg.Volumes ?? {}).sort(),
        labels,
        env,
        ociLabels,
    };
}
/** Credentials, root, missing OCI labels: most serious first. */
function warningsOf(secrets, config, user, clean) {
    const warnings = [];
    for (const s of secrets) {
        warnings.push(`Credential left in the image (${s.rule}${s.name ? ` ${s.name}` : ''}, ${s.redacted}, sha256:${s.fingerprint}) in ${s.where.join(', ')}`);
    }
    if (config.runsAsRoot) {
        warnings.push(`The image runs as root (user '${user === '' ? '(not set)' : clean(user)}'): set a non-root USER in the Dockerfile.`);
    }
    const missing = OCI_LABELS.filter((l) => !config.ociLabels[l]?.present);
    if (missing.length > 0) {
        warnings.push(`Missing OCI labels ${missing.join(', ')}: without them nobody can trace the image back to its source and commit.`);
    }
    return warnings;
}
/** The image as pushed: digest, platform, size as the registry stores it. */
function imageOf(facts, layerCount) {
    const size = facts.manifest !== undefined
        ? facts.manifest.layers.reduce((s, l) => s + l.size, facts.manifest.configSize)
        : facts.registrySize;
    const image = {
        digest: facts.digest,
        imageRef: facts.imageRef,
        imageId: facts.imageId,
        layerCount,
    };
    if (facts.os || facts.architecture)
        image.platform = `${facts.os ?? '?'}/${facts.architecture ?? '?'}`;
    if (facts.created)
        image.created = facts.created;
    if (facts.manifest)
        image.manifestMediaType = facts.manifest.mediaType;
    if (size !== undefined)
        image.size = size;
    return image;
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
var external_node_child_process_ = __webpack_require__(1421);
;// CONCATENATED MODULE: ./src/sdk.ts
// Caches of the two lazy imports (a module loads once per process anyway): the only module-level
// state in src/, and it holds no run data.
let ecr;
let sts;
function ecrSdk() {
    ecr ??= Promise.all(/* import() */[__webpack_require__.e(861), __webpack_require__.e(249)]).then(__webpack_require__.t.bind(__webpack_require__, 8249, 19));
    return ecr;
}
function stsSdk() {
    sts ??= Promise.all(/* import() */[__webpack_require__.e(861), __webpack_require__.e(695)]).then(__webpack_require__.t.bind(__webpack_require__, 1695, 19));
    return sts;
}
/** Starts loading both SDKs, to overlap with work that waits on a child process. */
function preloadSdks() {
    ecrSdk().catch(() => undefined);
    stsSdk().catch(() => undefined);
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
        throw new errors/* ActionError */.lZ(`docker image inspect ${imageId} failed: ${inspect.stderr.trim()}`);
    if (hist.code !== 0)
        throw new errors/* ActionError */.lZ(`docker history ${imageId} failed: ${hist.stderr.trim()}`);
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
        child.once('error', (e) => reject(new errors/* ActionError */.lZ(`docker save ${imageId} could not start: ${e.message}`)));
        child.once('close', (code, signal) => {
            if (code === 0)
                resolve();
            else {
                const why = Buffer.concat(err).toString('utf8').trim().split('\n')[0] ?? '';
                reject(new errors/* ActionError */.lZ(`docker save ${imageId} failed (${signal ?? `exit ${code}`}): ${why}`));
            }
        });
    });
    return { stream: child.stdout, done };
}

// EXTERNAL MODULE: ./src/report.ts
var report = __webpack_require__(665);
;// CONCATENATED MODULE: ./src/audit/summary.ts
/** The audit's job-summary section. Pure: everything it prints is already redacted. */


const code = (s) => `\`${(0,report/* cell */.Hn)(s).replace(/`/g, "'")}\``;
function auditMarkdown(r, exported, auditFile) {
    const out = ['### Image audit', '', headline(r)];
    out.push(...warningLines(r, exported));
    out.push('', ...layerTable(r));
    out.push('', ...configTable(r.config));
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
function headline(r) {
    const size = r.image.size !== undefined ? formatBytes(r.image.size) : 'unknown';
    return (`${r.image.layerCount} layer${r.image.layerCount === 1 ? '' : 's'}, ${size} compressed` +
        `${r.image.platform ? `, ${r.image.platform}` : ''}; ` +
        (r.secrets.length > 0 ? `**${r.secrets.length} credential(s) found**` : 'no credentials found') +
        '.');
}
function warningLines(r, exported) {
    const refused = exported?.refused ?? [];
    if (r.warnings.length === 0 && refused.length === 0)
        return [];
    const out = ['', '**Warnings**', ''];
    for (const w of r.warnings)
        out.push(`- ${(0,report/* cell */.Hn)(w)}`);
    if (exported && refused.length > 0) {
        const n = exported.refusedCount;
        out.push(`- Filesystem export refused ${n} entr${n === 1 ? 'y' : 'ies'}:`);
        for (const x of refused.slice(0, 20))
            out.push(`  - layer ${x.layer}: ${code(x.path)}: ${(0,report/* cell */.Hn)(x.reason)}`);
    }
    return out;
}
function layerTable(r) {
    const out = ['| # | Size | Made by |', '|---:|---:|---|'];
    for (const l of r.layers) {
        const s = l.size !== undefined ? formatBytes(l.size) : '?';
        const instr = l.instruction !== undefined ? code(truncate(l.instruction, 160)) : '(no history entry)';
        out.push(`| ${l.index} | ${l.big ? `**${s}** 🔺` : s} | ${instr} |`);
    }
    if (r.layers.some((l) => l.big))
        out.push('', '🔺 the biggest layers (each at least a tenth of the image).');
    return out;
}
function configTable(c) {
    const out = ['| Configuration | |', '|---|---|'];
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
    return out;
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
        throw new errors/* InputError */.dz(problems);
    plan.exportDir = dir;
    return plan;
}
/** Reads the pushed image (never runs it): layers, history, configuration, secrets. */
async function runAudit(ctx, plan, deps) {
    if (!plan.enabled)
        return stageResult();
    const { inputs, env } = ctx;
    const { pushed } = deps;
    const where = { registryId: pushed.registryId, repository: inputs.repository, region: inputs.region };
    const masked = new Set();
    const mask = (v) => {
        if (masked.has(v))
            return;
        masked.add(v);
        src_core/* setSecret */.Pq(v);
    };
    let facts;
    try {
        facts = await gatherFacts(deps, where);
    }
    catch (err) {
        return stageResult({
            failure: `The image audit could not read ${pushed.imageId}: ${(0,errors/* errorMessage */.gJ)(err)}. ` +
                `The image IS pushed as ${pushed.imageRef}; set 'audit: false' to skip the audit.`,
        });
    }
    // Secrets are masked here, before any line of the audit is logged.
    let result = analyze(facts, mask);
    let exported;
    let exportFailure;
    if (plan.exportDir !== undefined) {
        try {
            const out = await exportFilesystem(deps, plan.exportDir, env);
            // The saved config has the exact empty_layer flags: a better layer-to-history match.
            if (out.history !== undefined && out.history.length > 0) {
                result = analyze({ ...facts, history: out.history }, mask);
            }
            exported = out.result;
        }
        catch (err) {
            exportFailure = `Could not export the image's filesystem to ${plan.exportDir}: ${(0,errors/* errorMessage */.gJ)(err)}`;
        }
    }
    const auditFile = await writeAuditFile(env, result, exported);
    logResult(result, exported);
    return auditStageResult(result, exported, auditFile, {
        where,
        failOnSecrets: inputs.failOnSecrets,
        ...(exportFailure === undefined ? {} : { exportFailure }),
    });
}
/** The local image (config, history, layers) and what the registry holds of it. */
async function gatherFacts(deps, where) {
    const { pushed, ecr } = deps;
    const notes = [];
    const local = await readLocalImage(deps.docker, pushed.imageId);
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
        manifest = await registryManifest(ecr, where, pushed.digest, platform);
    }
    catch (err) {
        notes.push(`Could not read the pushed manifest (ecr:BatchGetImage): ${(0,errors/* errorMessage */.gJ)(err)}; compressed layer sizes are unknown.`);
        size = await registrySize(ecr, where, pushed.digest).catch(() => undefined);
    }
    const facts = {
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
    return facts;
}
/** The image's merged filesystem into `dir` (from `docker save`), and the saved config's history. */
async function exportFilesystem(deps, dir, env) {
    return src_core/* group */.Os(`Exporting the image's filesystem to ${dir}`, async () => {
        // The tar reader loads only when an export is asked for (cold start).
        const { exportSavedImage } = await Promise.all(/* import() */[__webpack_require__.e(118), __webpack_require__.e(669)]).then(__webpack_require__.bind(__webpack_require__, 8669));
        const saved = saveImage(deps.docker, deps.pushed.imageId);
        const tmp = env.RUNNER_TEMP || external_node_os_.tmpdir();
        const [out] = await Promise.all([exportSavedImage(saved.stream, dir, tmp), saved.done]);
        for (const r of out.result.refused.slice(0, 50))
            src_core/* warning */.$e(`Export refused layer ${r.layer} entry ${r.path}: ${r.reason}`);
        return { result: out.result, history: historyFromConfig(out.config) };
    });
}
/** The audit JSON in RUNNER_TEMP; undefined (with a warning) when it cannot be written. */
async function writeAuditFile(env, result, exported) {
    const file = external_node_path_.join(env.RUNNER_TEMP || env.GITHUB_WORKSPACE || process.cwd(), AUDIT_FILE);
    try {
        await promises_.writeFile(file, `${JSON.stringify(auditJson(result, exported), null, 2)}\n`);
        return file;
    }
    catch (err) {
        src_core/* warning */.$e(`Could not write the audit file ${file}: ${(0,errors/* errorMessage */.gJ)(err)}`);
        return undefined;
    }
}
function auditStageResult(result, exported, auditFile, opts) {
    const outputs = {};
    if (result.image.size !== undefined)
        outputs['image-size'] = String(result.image.size);
    outputs['layer-count'] = String(result.image.layerCount);
    outputs['secrets-found'] = String(result.secrets.length);
    if (auditFile)
        outputs['audit-file'] = auditFile;
    const annotations = result.warnings.map((message) => ({ level: 'warning', message }));
    const failures = [];
    if (result.secrets.length > 0) {
        const message = secretsMessage(result, opts.where, opts.failOnSecrets);
        if (opts.failOnSecrets)
            failures.push(message);
        else
            annotations.push({ level: 'warning', message });
    }
    if (opts.exportFailure)
        failures.push(opts.exportFailure);
    return stageResult({
        outputs,
        sections: { audit: auditMarkdown(result, exported, auditFile) },
        annotations,
        ...(failures.length > 0 ? { failure: failures.join(' ') } : {}),
    });
}
function auditJson(result, exported) {
    return exported ? { ...result, export: exported } : result;
}
function logResult(r, exported) {
    const size = r.image.size !== undefined ? formatBytes(r.image.size) : 'unknown size';
    src_core/* info */.pq(`Audit: ${r.image.layerCount} layers, ${size}, user '${r.config.user || '(not set)'}', ${r.secrets.length} credential(s) found`);
    if (exported) {
        src_core/* info */.pq(`Exported ${exported.files} files, ${exported.dirs} directories, ${exported.symlinks} symlinks, ${exported.hardlinks} hard links ` +
            `(${formatBytes(exported.bytes)}) to ${exported.dir}; ${exported.refusedCount} entries refused.`);
    }
}

// EXTERNAL MODULE: ./src/partition.ts
var partition = __webpack_require__(9633);
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
/** The registry host forms ECR uses: every partition's DNS suffix, and dual-stack `on.aws`. */
const ECR_HOST = new RegExp(`^(\\d{12})\\.dkr[.-]ecr(?:-fips)?\\.([a-z0-9-]+)\\.(${[...partition/* DNS_SUFFIXES */.gf, 'on.aws'].map((s) => s.replace(/\./g, '\\.')).join('|')})$`);
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
 * principal may use, so a cross-account push swaps the account in the host (an explicit port, part
 * of the URL's host, stays). A proxyEndpoint that is not an ECR host is used as it is.
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
    const ecr = parseEcrHost(host.replace(/:\d+$/, ''));
    if (registryId && ecr && ecr.account !== registryId) {
        return registryId + host.slice(ecr.account.length);
    }
    return host;
}
/** ECR's WILDCARD filters (scanning rules, tag-mutability exclusions): `*` matches any run of characters. */
function wildcardMatches(filter, value) {
    const re = filter
        .split('*')
        .map((part) => part.replace(/[.+?^${}()|[\]\\/-]/g, '\\$&'))
        .join('.*');
    return new RegExp(`^${re}$`).test(value);
}
/** Account ID out of an ARN (`arn:<partition>:sts::123456789012:assumed-role/…`). */
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



/**
 * An ECR client for the region; credentials undefined: the SDK's default chain. A provider (see
 * credentials.ts) lets a long scan wait renew the role session.
 */
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
        if ((0,errors/* errorName */.Is)(err) === 'RepositoryNotFoundException')
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
            if ((0,errors/* errorName */.Is)(err) !== 'ImageNotFoundException')
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
    const name = (0,errors/* errorName */.Is)(err);
    const msg = (0,errors/* errorMessage */.gJ)(err);
    if (name === 'AccessDeniedException') {
        return new errors/* ActionError */.lZ(`${action} was denied: ${msg}. Grant the permission in the role's policy (see the README's least-privilege policy) for ${repositoryArnOrName}.`);
    }
    if (name === 'ExpiredTokenException') {
        return new errors/* ActionError */.lZ(`${action} failed: the AWS credentials expired (${msg}). Re-run the job.`);
    }
    if (name === 'UnrecognizedClientException' || name === 'InvalidSignatureException') {
        return new errors/* ActionError */.lZ(`${action} failed: AWS did not accept the credentials (${name}: ${msg}).`);
    }
    return new Error(`${action} failed: ${name ? `${name}: ` : ''}${msg}`, { cause: err });
}

// EXTERNAL MODULE: ./src/severity.ts
var severity = __webpack_require__(1012);
;// CONCATENATED MODULE: ./src/gate/consistency.ts
/**
 * Is one read pass of a scan (every page of DescribeImageScanFindings, first to last) a complete,
 * consistent picture? Only such a pass may show the gate a finding set to decide on. Pure: the read
 * loop in ecr-scan.ts feeds each page in.
 *
 * A pass is inconsistent when:
 * - a `nextToken` comes back that the pass already followed (pagination cycles: without this check
 *   the read would never end);
 * - a finding key (findingArn; basic: name + package + version) is listed twice (pages repeat);
 * - a page's `findingSeverityCounts` claims more findings of a severity than the whole pass listed.
 *   ECR does not say whether those counts describe the page or the image; a claim above the pass's
 *   total is impossible under either reading, so the check holds whichever ECR means, and it catches
 *   a last page that is never linked;
 * - the scan status or completion time changes between pages (a new scan ran during the read);
 * - the read stopped early: the page cap or the gate's deadline.
 */

/** Most pages one pass may read (1,000 findings a page): 500,000 findings, far above any image. */
const MAX_PAGES_PER_PASS = 500;
/** Problems kept per pass (the first ones say enough). */
const MAX_PROBLEMS = 5;
const zero = () => ({ CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFORMATIONAL: 0, UNDEFINED: 0 });
function newPass() {
    return {
        pages: 0,
        tokens: new Set(),
        keys: new Set(),
        listed: zero(),
        claimed: zero(),
        status: '',
        completedAt: undefined,
        repeats: 0,
        problems: [],
    };
}
function problem(pass, text) {
    if (pass.problems.length < MAX_PROBLEMS)
        pass.problems.push(text);
}
/** Records one page. */
function addPage(pass, page) {
    pass.pages += 1;
    if (pass.pages === 1) {
        pass.status = page.status;
        pass.completedAt = page.completedAt;
    }
    else {
        if (page.status !== pass.status)
            problem(pass, `the scan status changed from ${pass.status} to ${page.status || '(none)'} during the read`);
        if (page.completedAt !== pass.completedAt)
            problem(pass, `the scan's completion time changed during the read (a new scan ran)`);
    }
    for (const f of page.findings) {
        if (pass.keys.has(f.key)) {
            pass.repeats += 1;
            pass.repeated ??= f.key;
        }
        else
            pass.keys.add(f.key);
        pass.listed[f.severity] += 1;
    }
    for (const [raw, n] of Object.entries(page.severityCounts ?? {})) {
        const s = (0,severity/* normaliseSeverity */.s4)(raw);
        if (Number.isFinite(n) && n > pass.claimed[s])
            pass.claimed[s] = n;
    }
}
/**
 * Whether the read may follow `token`: not when the pass already followed it (a cycle), nor past the
 * page cap. Records the problem and says false; true: follow it.
 */
function mayFollow(pass, token) {
    if (pass.tokens.has(token)) {
        problem(pass, `ECR answered a nextToken it had already given on an earlier page (pagination cycles)`);
        return false;
    }
    if (pass.pages >= MAX_PAGES_PER_PASS) {
        problem(pass, `the read stopped at ${MAX_PAGES_PER_PASS} pages (the page cap) with more announced`);
        return false;
    }
    pass.tokens.add(token);
    return true;
}
/** The read stopped before the last page (deadline, error). */
function stopped(pass, why) {
    problem(pass, why);
}
/** The pass as a whole: the checks that need every page (severity counts against the listing). */
function finishPass(pass) {
    if (pass.repeats > 0)
        problem(pass, `${pass.repeats} finding${pass.repeats === 1 ? ' was' : 's were'} listed twice (pages repeat), e.g. ${pass.repeated ?? ''}`);
    for (const s of severity/* SEVERITIES */.oC) {
        if (pass.claimed[s] > pass.listed[s])
            problem(pass, `findingSeverityCounts claims ${pass.claimed[s]} ${s} but the pages listed ${pass.listed[s]} (findings missing from the pages)`);
    }
    return { consistent: pass.problems.length === 0, problems: pass.problems, listed: pass.keys.size };
}

;// CONCATENATED MODULE: ./src/gate/findings.ts

/**
 * Does a finding with this (enhanced) status count? Only SUPPRESSED and CLOSED are set aside
 * (case-insensitive); a missing, empty or unknown status counts: when in doubt, count.
 */
function isCountedStatus(status) {
    const s = status.trim().toUpperCase();
    return s !== 'SUPPRESSED' && s !== 'CLOSED';
}
const num = (v) => {
    if (v === undefined || v.trim() === '')
        return undefined;
    const n = Number(v);
    return Number.isFinite(n) ? n : undefined;
};
const same = (s) => s;
/**
 * An interner for one read pass: the same package names, versions, severities, URLs and titles recur
 * across thousands of findings; one copy of each keeps 50,000 findings small (npm run bench).
 */
function interner(limit = 200_000) {
    const seen = new Map();
    return (s) => {
        if (s.length > 200)
            return s;
        const hit = seen.get(s);
        if (hit !== undefined)
            return hit;
        if (seen.size < limit)
            seen.set(s, s);
        return s;
    };
}
function fromBasic(f, image, intern = same) {
    const attrs = new Map();
    for (const a of f.attributes ?? [])
        if (a.key !== undefined && a.value !== undefined)
            attrs.set(a.key, a.value);
    const id = intern(f.name ?? 'UNKNOWN');
    const pkg = intern(attrs.get('package_name') ?? '');
    const version = intern(attrs.get('package_version') ?? '');
    const score = num(attrs.get('CVSS3_SCORE')) ?? num(attrs.get('CVSS2_SCORE'));
    const finding = {
        key: `${id}|${pkg}|${version}`,
        id,
        source: 'basic',
        severity: (0,severity/* normaliseSeverity */.s4)(f.severity),
        rawSeverity: intern(f.severity ?? ''),
        status: 'ACTIVE',
        package: pkg,
        version,
        fixedIn: '',
        packages: [{ name: pkg, version, fixedIn: '' }],
        fixAvailable: '',
        exploitAvailable: '',
        title: id,
        description: f.description ?? '',
        url: intern(f.uri ?? ''),
        imageDigest: image.imageDigest,
        platform: image.platform,
    };
    if (score !== undefined)
        finding.score = score;
    return finding;
}
/**
 * An enhanced finding: one per `findingArn`, as ECR and Inspector count them. Inspector lists several
 * vulnerable packages in one finding at times: all are kept in `packages` (the report lists them,
 * an ignore entry's `package=` matches any of them); the first is the one the summary shows.
 */
function fromEnhanced(f, image, intern = same) {
    const d = f.packageVulnerabilityDetails;
    const id = intern(d?.vulnerabilityId ?? f.title ?? 'UNKNOWN');
    const packages = enhancedPackages(d?.vulnerablePackages, intern);
    const first = packages[0];
    const upper = (v) => intern((v ?? '').trim().toUpperCase());
    const finding = {
        key: f.findingArn ?? `${id}|${packages.map((p) => `${p.name}|${p.version}`).join('|')}`,
        id,
        source: 'enhanced',
        severity: (0,severity/* normaliseSeverity */.s4)(f.severity),
        rawSeverity: intern(f.severity ?? ''),
        status: upper(f.status),
        package: first.name,
        version: first.version,
        fixedIn: first.fixedIn,
        packages,
        fixAvailable: upper(f.fixAvailable),
        exploitAvailable: upper(f.exploitAvailable),
        title: intern(f.title ?? id),
        description: f.description ?? '',
        url: intern(enhancedUrl(f)),
        imageDigest: image.imageDigest,
        platform: image.platform,
    };
    const score = f.score ?? d?.cvss?.find((c) => c.baseScore !== undefined)?.baseScore;
    if (score !== undefined)
        finding.score = score;
    return finding;
}
/** Every vulnerable package of an enhanced finding (at least one, possibly unnamed). */
function enhancedPackages(list, intern) {
    const packages = (list ?? []).map((p) => ({
        name: intern(p.name ?? ''),
        version: intern(p.version ?? ''),
        fixedIn: intern(p.fixedInVersion && p.fixedInVersion !== 'NotAvailable' ? p.fixedInVersion : ''),
    }));
    if (packages.length === 0)
        packages.push({ name: '', version: '', fixedIn: '' });
    return packages;
}
/** The advisory link: the source, else the remediation, else the first reference. */
function enhancedUrl(f) {
    const d = f.packageVulnerabilityDetails;
    return d?.sourceUrl ?? f.remediation?.recommendation?.url ?? d?.referenceUrls?.[0] ?? '';
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
 * depends on, so a finding whose severity, status, fix state or packages change counts as a change
 * (`package=` ignore entries match packages). Built
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
        for (const p of f.packages) {
            fnv(p.name, h);
            fnv(p.version, h);
        }
        s1 = (s1 + (h[0] >>> 0)) >>> 0;
        s2 = (s2 + (h[1] >>> 0)) >>> 0;
        x1 = (x1 ^ Math.imul(h[0] ^ (h[1] >>> 7), 0x9e3779b1)) >>> 0;
    }
    const hex = (n) => n.toString(16).padStart(8, '0');
    return `${findings.length}:${hex(s1)}${hex(s2)}${hex(x1)}`;
}

// EXTERNAL MODULE: external "node:v8"
var external_node_v8_ = __webpack_require__(8877);
;// CONCATENATED MODULE: ./src/gate/memory.ts
/**
 * Memory for large finding sets. Reading 50,000 enhanced findings (50 pages of 1,000, each parsed
 * by the AWS SDK into two object trees) makes V8 grow its young generation to its 128 MiB maximum:
 * most of the whole step's peak RSS (npm run bench, 50,000 findings: new space 128 MiB, old space
 * 61 MiB, peak RSS 300-340 MiB). Not letting it grow further from the second page of a read on
 * brings the whole step to ~245 MiB at the same speed (from the first page: ~195 MiB, but twice
 * the CPU while reading); images with one page of findings are not affected.
 *
 * `--semi-space-growth-factor` is read each time V8 considers growing the new space, so setting it
 * at run time (v8.setFlagsFromString, a public Node API) takes effect; it changes nothing else.
 */

/** From now on, V8 does not grow the young generation (idempotent). */
function keepYoungGenerationSmall() {
    (0,external_node_v8_.setFlagsFromString)('--semi-space-growth-factor=1');
}

// EXTERNAL MODULE: ./src/gate/status.ts
var gate_status = __webpack_require__(4345);
;// CONCATENATED MODULE: ./src/gate/ecr-scan.ts






async function startImageScan(api, digest, signal) {
    const { StartImageScanCommand } = await ecrSdk();
    try {
        const out = await api.ecr.send(new StartImageScanCommand({
            registryId: api.registryId,
            repositoryName: api.repository,
            imageId: { imageDigest: digest },
        }), signal ? { abortSignal: signal } : {});
        return out.imageScanStatus?.status
            ? { kind: 'started', status: out.imageScanStatus.status }
            : { kind: 'started' };
    }
    catch (err) {
        const name = (0,errors/* errorName */.Is)(err);
        if (name === 'LimitExceededException')
            return { kind: 'already-scanned' };
        if (name === 'UnsupportedImageTypeException')
            return { kind: 'unsupported', message: (0,errors/* errorMessage */.gJ)(err) };
        return { kind: 'not-possible', message: `${name || 'Error'}: ${(0,errors/* errorMessage */.gJ)(err)}` };
    }
}
const PAGE_SIZE = 1000;
/** How long one call may still run past the deadline: the gate ends within its budget plus one call. */
const CALL_GRACE_MS = 30_000;
/** The abort signal of one call made at `now`: at the deadline plus one call's grace. */
function callSignal(bounds) {
    return AbortSignal.timeout(Math.max(0, bounds.deadline - bounds.clock()) + (bounds.graceMs ?? CALL_GRACE_MS));
}
/** Transient: throttling, 5xx, network. The SDK has already retried these itself. */
function isTransient(err) {
    const name = (0,errors/* errorName */.Is)(err);
    if (name === 'CredentialRefreshError' || name === 'ExpiredTokenException')
        return false;
    // A call still running at the deadline (plus its grace) was aborted: the budget ended, not ECR.
    if (name === 'AbortError')
        return true;
    if (/Throttl|TooManyRequests|LimitExceeded|RequestTimeout|ServiceUnavailable|InternalFailure|ServerException|TimeoutError/i.test(name))
        return true;
    const status = (0,errors/* httpStatus */.nG)(err);
    if (status !== undefined)
        return status >= 500 || status === 429;
    // No answer at all: connection reset, refused, DNS.
    return true;
}
function readError(err, calls) {
    const name = (0,errors/* errorName */.Is)(err);
    if (name === 'ScanNotFoundException')
        return { kind: 'scan-not-found', calls };
    if (name === 'ImageNotFoundException')
        return { kind: 'image-not-found', calls };
    const transient = isTransient(err);
    let message = `DescribeImageScanFindings failed: ${name ? `${name}: ` : ''}${(0,errors/* errorMessage */.gJ)(err)}`;
    if (transient)
        message = `${name || 'Error'}: ${(0,errors/* errorMessage */.gJ)(err)}`;
    else if (name === 'AccessDeniedException')
        message = `ecr:DescribeImageScanFindings was denied: ${(0,errors/* errorMessage */.gJ)(err)}. Grant it on the repository in the role's policy (see the README's least-privilege policy).`;
    else if (name === 'CredentialRefreshError')
        message = (0,errors/* errorMessage */.gJ)(err);
    else if (name === 'ExpiredTokenException')
        message = `DescribeImageScanFindings failed: the AWS credentials expired during the scan wait (${(0,errors/* errorMessage */.gJ)(err)}). With role-to-assume, the action renews the role session before it expires; raise role-duration-seconds (or the role's maximum session duration) if the session cannot be renewed.`;
    return { kind: 'error', message, transient, calls };
}
/** One page, normalised, fed to the pass check. */
function takePage(out, image, pass, findings, intern) {
    const page = [];
    for (const f of out.imageScanFindings?.findings ?? [])
        page.push(fromBasic(f, image, intern));
    for (const f of out.imageScanFindings?.enhancedFindings ?? [])
        page.push(fromEnhanced(f, image, intern));
    const facts = {
        status: out.imageScanStatus?.status ?? '',
        findings: page,
        severityCounts: out.imageScanFindings?.findingSeverityCounts,
    };
    const at = out.imageScanFindings?.imageScanCompletedAt?.getTime();
    if (at !== undefined)
        facts.completedAt = at;
    addPage(pass, facts);
    for (const f of page)
        findings.push(f);
}
/**
 * One look at the scan: the status, and when it is ready, every page of findings (maxResults 1000),
 * normalised and checked for consistency. Bounded: it never follows a token twice, stops at the page
 * cap, and makes no call past the deadline (each call is aborted one call's grace after it).
 */
async function readScan(api, target, bounds) {
    const image = { imageDigest: target.digest, platform: target.platform };
    const pass = newPass();
    const findings = [];
    const intern = interner();
    let calls = 0;
    let nextToken;
    let first;
    try {
        do {
            if (calls > 0 && bounds.clock() >= bounds.deadline) {
                stopped(pass, 'the budget ended during the read');
                return { kind: 'status', status: pass.status, description: '', cut: true, calls };
            }
            calls += 1;
            const out = await findingsPage(api, target.digest, nextToken, bounds);
            first ??= out;
            if (calls === 1 && !(0,gate_status/* isReady */.i_)(statusOf(first)))
                return notReady(first, calls);
            takePage(out, image, pass, findings, intern);
            nextToken = out.nextToken;
            if (calls === 1 && nextToken)
                keepYoungGenerationSmall();
        } while (nextToken !== undefined && nextToken !== '' && mayFollow(pass, nextToken));
    }
    catch (err) {
        return readError(err, calls);
    }
    const verdict = finishPass(pass);
    return {
        kind: 'status',
        status: pass.status,
        description: first?.imageScanStatus?.description ?? '',
        pass: { findings, consistent: verdict.consistent, problems: verdict.problems },
        calls,
    };
}
const statusOf = (page) => page.imageScanStatus?.status ?? '';
/** A first page whose status is not ready: the status is all there is to read. */
function notReady(first, calls) {
    return {
        kind: 'status',
        status: statusOf(first),
        description: first.imageScanStatus?.description ?? '',
        calls,
    };
}
/** One DescribeImageScanFindings call, aborted one call's grace past the deadline. */
async function findingsPage(api, digest, nextToken, bounds) {
    const { DescribeImageScanFindingsCommand } = await ecrSdk();
    const input = {
        registryId: api.registryId,
        repositoryName: api.repository,
        imageId: { imageDigest: digest },
        maxResults: PAGE_SIZE,
        ...(nextToken ? { nextToken } : {}),
    };
    return api.ecr.send(new DescribeImageScanFindingsCommand(input), { abortSignal: callSignal(bounds) });
}
const INDEX_TYPES = new Set([
    'application/vnd.oci.image.index.v1+json',
    'application/vnd.docker.distribution.manifest.list.v2+json',
]);
/** How deep nested image indexes are followed; deeper is refused (the gate fails, saying so). */
const MAX_INDEX_DEPTH = 3;
/** Docker's attestation manifests (buildx provenance/SBOM) and OCI artifacts are not images to scan. */
function isAttestation(m) {
    return (m.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest' ||
        (typeof m.artifactType === 'string' && m.artifactType !== ''));
}
function platformLabel(m, digest) {
    const p = m.platform;
    const parts = [p?.os, p?.architecture, p?.variant].filter((x) => !!x && x !== 'unknown');
    return parts.length > 0 ? parts.join('/') : `unknown@${digest.slice(0, 19)}`;
}
/**
 * The children of an index (pure): every image manifest, with or without a `platform` field, except
 * attestation manifests; nested indexes apart, for the caller to follow.
 */
function platformImages(index) {
    const images = [];
    const nested = [];
    for (const m of index.manifests ?? []) {
        if (typeof m.digest !== 'string' || m.digest === '' || isAttestation(m))
            continue;
        const child = { digest: m.digest, platform: platformLabel(m, m.digest) };
        if (m.mediaType && INDEX_TYPES.has(m.mediaType))
            nested.push(child);
        else
            images.push(child);
    }
    return { images, nested };
}
async function getManifest(api, digest, signal) {
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
    }), signal ? { abortSignal: signal } : {});
    const image = out.images?.[0];
    if (!image) {
        const why = out.failures?.[0];
        throw new Error(`BatchGetImage returned no manifest for ${digest}${why ? ` (${why.failureCode ?? ''}: ${why.failureReason ?? ''})` : ''}`);
    }
    return { mediaType: image.imageManifestMediaType ?? '', manifest: image.imageManifest ?? '{}' };
}
/**
 * What to gate: the pushed digest, or every platform image of an index (nested indexes followed up
 * to MAX_INDEX_DEPTH). Throws when the manifest cannot be read or the index holds nothing to gate:
 * the gate must not guess (a guess could hide a platform's findings).
 */
async function scanTargets(api, digest, signal) {
    const top = await getManifest(api, digest, signal);
    if (!INDEX_TYPES.has(top.mediaType))
        return [{ digest, platform: '' }];
    const out = [];
    const seen = new Set([digest]);
    let level = platformImages(JSON.parse(top.manifest));
    for (let depth = 1;; depth++) {
        for (const t of level.images) {
            if (seen.has(t.digest))
                continue;
            seen.add(t.digest);
            out.push(t);
        }
        const nested = level.nested.filter((n) => !seen.has(n.digest));
        if (nested.length === 0)
            break;
        if (depth >= MAX_INDEX_DEPTH)
            throw new Error(`the image index nests indexes deeper than ${MAX_INDEX_DEPTH} levels (${nested[0]?.digest ?? ''}); the gate does not follow them`);
        const next = { images: [], nested: [] };
        for (const n of nested) {
            seen.add(n.digest);
            const m = await getManifest(api, n.digest, signal);
            const kids = INDEX_TYPES.has(m.mediaType)
                ? platformImages(JSON.parse(m.manifest))
                : { images: [n], nested: [] };
            next.images.push(...kids.images);
            next.nested.push(...kids.nested);
        }
        level = next;
    }
    if (out.length === 0)
        throw new Error('the image index lists no image to scan (only attestations)');
    return out;
}

;// CONCATENATED MODULE: ./src/scanning.ts



/** ECR's repository filter wildcard: `*` matches any run of characters. */
function filterMatches(filter, repository) {
    return wildcardMatches(filter, repository);
}
const COVERING = ['CONTINUOUS_SCAN', 'SCAN_ON_PUSH'];
/**
 * The rule that covers the repository: CONTINUOUS_SCAN before SCAN_ON_PUSH, as ECR applies them
 * (MANUAL rules cover nothing), with the filter that matched.
 */
function matchingRule(rules, repository, frequencies = COVERING) {
    for (const frequency of frequencies) {
        for (const rule of rules) {
            if (rule.scanFrequency !== frequency)
                continue;
            const match = rule.repositoryFilters.find((f) => filterMatches(f.filter, repository));
            if (match)
                return { rule, filter: match.filter };
        }
    }
    return undefined;
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
const UNREADABLE = {
    kind: 'UNKNOWN',
    why: 'the registry scanning configuration could not be read',
    short: 'the registry scanning configuration could not be read',
};
/** The one decision: how the registry's scanning covers `repository`. Pure. */
function scanning_decideCoverage(facts, repository, region) {
    const { registry, repository: repo } = facts;
    if (registry === undefined)
        return UNREADABLE;
    if (registry.scanType === 'ENHANCED') {
        const match = matchingRule(registry.rules, repository);
        if (match)
            return { kind: match.rule.scanFrequency, filter: match.filter };
        // ECR's own per-repository answer, when it was read, has the last word on coverage.
        if (repo && (repo.scanFrequency === 'CONTINUOUS_SCAN' || repo.scanFrequency === 'SCAN_ON_PUSH')) {
            const filter = repo.appliedScanFilters[0]?.filter;
            return filter === undefined ? { kind: repo.scanFrequency } : { kind: repo.scanFrequency, filter };
        }
        return { kind: 'NONE', fix: enhancedFixCommand(registry, repository, region) };
    }
    const onPush = facts.repositoryScanOnPush === true ||
        matchingRule(registry.rules, repository, ['SCAN_ON_PUSH']) !== undefined ||
        repo?.scanOnPush === true ||
        repo?.scanFrequency === 'SCAN_ON_PUSH';
    return { kind: onPush ? 'BASIC_SCAN_ON_PUSH' : 'BASIC_MANUAL', scanType: registry.scanType };
}
/** Whether the repository's effective configuration could change the answer the rest gives. */
function needsRepositoryConfig(facts, repository) {
    const { registry } = facts;
    if (registry === undefined || registry.scanType === 'ENHANCED')
        return false;
    if (facts.repositoryScanOnPush !== undefined)
        return false;
    return matchingRule(registry.rules, repository, ['SCAN_ON_PUSH']) === undefined;
}
async function attempt(fn) {
    try {
        return { ok: true, value: await fn() };
    }
    catch (err) {
        return {
            ok: false,
            denied: (0,errors/* errorName */.Is)(err) === 'AccessDeniedException',
            name: (0,errors/* errorName */.Is)(err),
            message: `${(0,errors/* errorName */.Is)(err) || 'Error'}: ${(0,errors/* errorMessage */.gJ)(err)}`,
            detail: (0,errors/* errorMessage */.gJ)(err),
        };
    }
}
const filters = (list) => (list ?? []).map((f) => ({ filter: f.filter ?? '', filterType: f.filterType ?? 'WILDCARD' }));
/** GetRegistryScanningConfiguration (the caller's own registry), normalised. */
async function getRegistryConfig(api) {
    const { GetRegistryScanningConfigurationCommand } = await ecrSdk();
    return attempt(async () => {
        const out = await api.ecr.send(new GetRegistryScanningConfigurationCommand({}));
        const c = out.scanningConfiguration;
        return {
            scanType: c?.scanType ?? 'BASIC',
            rules: (c?.rules ?? []).map((r) => ({
                scanFrequency: r.scanFrequency ?? 'MANUAL',
                repositoryFilters: filters(r.repositoryFilters),
            })),
        };
    });
}
/** BatchGetRepositoryScanningConfiguration for one repository; undefined when ECR has no answer. */
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
            appliedScanFilters: filters(c.appliedScanFilters),
        };
    });
}
function scanningConfiguration(source) {
    let answer;
    return {
        coverage: () => {
            answer ??= readCoverage(source);
            return answer;
        },
    };
}
async function readCoverage(source) {
    const { repository, region } = source;
    if (source.registryId !== source.account) {
        const why = `The registry (${source.registryId}) belongs to another account, whose scanning configuration cannot be read from ${source.account}`;
        return {
            coverage: { kind: 'UNKNOWN', why, short: 'the registry belongs to another account' },
            problems: [],
        };
    }
    const registry = await getRegistryConfig(source);
    if (!registry.ok) {
        const short = registry.denied
            ? 'ecr:GetRegistryScanningConfiguration denied'
            : registry.name || registry.detail;
        return { coverage: { ...UNREADABLE, short }, problems: [registry] };
    }
    const facts = { registry: registry.value, repositoryScanOnPush: source.repositoryScanOnPush };
    const problems = [];
    if (needsRepositoryConfig(facts, repository)) {
        const repo = await getRepositoryConfig(source);
        if (repo.ok)
            facts.repository = repo.value;
        else
            problems.push(repo);
    }
    return { coverage: scanning_decideCoverage(facts, repository, region), problems };
}

;// CONCATENATED MODULE: ./src/gate/mode.ts
/**
 * How the gate waits, from the run's one answer to "how is this repository covered"
 * (src/scanning.ts decides that; this file only maps it to the gate's modes). Pure.
 */

/** The gate's mode for a coverage. */
function scanMode(coverage, repository) {
    switch (coverage.kind) {
        case 'CONTINUOUS_SCAN':
        case 'SCAN_ON_PUSH':
            return { kind: 'enhanced', frequency: coverage.kind };
        case 'BASIC_SCAN_ON_PUSH':
        case 'BASIC_MANUAL':
            return { kind: 'basic', scanOnPush: coverage.kind === 'BASIC_SCAN_ON_PUSH' };
        case 'NONE':
            return {
                kind: 'not-covered',
                message: `Repository '${repository}' is not covered by enhanced scanning: the registry uses Amazon Inspector (ENHANCED) and none of its scanning rules' filters matches the repository, so it will never be scanned. ` +
                    `Add it to a rule: ${coverage.fix}`,
            };
        case 'UNKNOWN':
            return { kind: 'unknown', why: coverage.why };
    }
}
/**
 * The mode straight from the configurations. `registry` or `repo` undefined: that read failed (or
 * was not made). `repositoryScanOnPush` is the repository's own flag (DescribeRepositories).
 */
function decideScanMode(registry, repo, repository, region, repositoryScanOnPush) {
    return scanMode(decideCoverage({ registry, repository: repo, repositoryScanOnPush }, repository, region), repository);
}

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
/** True when an ignore file is a YAML list (its first content line starts with `- `). */
function isYamlList(text) {
    const firstContent = text.split(/\r?\n/).find((l) => l.trim() !== '' && !l.trim().startsWith('#')) ?? '';
    return /^\s*-(\s|$)/.test(firstContent);
}
/**
 * The `ignore-file`: the line form, or YAML: a list of `{id, until, package, reason}` (or of lines).
 * `parseYaml` is handed in (the `yaml` package, loaded only when a file is YAML: cold start).
 */
function parseIgnoreFile(text, input = 'ignore-file', parseYaml) {
    if (!isYamlList(text))
        return parseIgnoreText(text, input);
    if (!parseYaml)
        throw new Error('parseIgnoreFile: a YAML list needs a YAML parser');
    let doc;
    try {
        doc = parseYaml(text);
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
        const checked = yamlEntry(item, `${input} ${where}`);
        if (typeof checked === 'string')
            problems.push(`Invalid input '${input}' (${where}): ${checked}. Expected {id: CVE-2024-1234, until: 2025-06-30, package: openssl, reason: "no fix yet"}.`);
        else
            entries.push(checked);
    });
    return { entries, problems };
}
const show = (v) => v instanceof Date
    ? v.toISOString().slice(0, 10)
    : typeof v === 'string' || typeof v === 'number'
        ? String(v)
        : JSON.stringify(v);
/** A YAML `until`: undefined when absent, false when not a date. YAML may read it as a Date. */
function yamlUntil(v) {
    if (v === undefined || v === null)
        return undefined;
    const until = show(v);
    return validDate(until) ? until : false;
}
/** A YAML `package`: undefined when absent, false when not a name. */
function yamlPackage(v) {
    if (v === undefined || v === null)
        return undefined;
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : false;
}
const isMapping = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
/** One YAML item of an ignore file as an entry, or what is wrong with it. */
function yamlEntry(item, source) {
    if (!isMapping(item))
        return 'not a mapping';
    const rec = item;
    const unknown = Object.keys(rec).filter((k) => !['id', 'until', 'package', 'reason'].includes(k));
    if (unknown.length > 0)
        return `unknown key${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}`;
    const id = typeof rec.id === 'string' || typeof rec.id === 'number' ? String(rec.id).trim() : '';
    if (!ID.test(id))
        return id === '' ? "missing 'id'" : `'${id}' is not a vulnerability ID`;
    const entry = {
        id,
        reason: typeof rec.reason === 'string' ? rec.reason.trim() : '',
        source,
    };
    const until = yamlUntil(rec.until);
    if (until === false)
        return `until '${show(rec.until)}' is not a date YYYY-MM-DD`;
    if (until !== undefined)
        entry.until = until;
    const pkg = yamlPackage(rec.package);
    if (pkg === false)
        return "'package' must be a package name";
    if (pkg !== undefined)
        entry.package = pkg;
    return entry;
}
function zeroCounts() {
    return { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, INFORMATIONAL: 0, UNDEFINED: 0 };
}
function isExpired(e, today) {
    return e.until !== undefined && e.until < today;
}
/** Does a counted finding at `s` fail the gate at `threshold`? */
function blocks(s, threshold) {
    return (0,severity/* atOrAbove */.kU)(s, threshold);
}
function ignoreIndex(policy, today) {
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
    return byId;
}
/** The entry that ignores `f`: same ID, and no `package=` or one naming any of its packages. */
function ignoringEntry(f, policy, index) {
    const candidates = index.get(f.id.toLowerCase());
    if (!candidates)
        return undefined;
    return candidates.find((i) => {
        const p = policy.ignore[i]?.package?.toLowerCase();
        return p === undefined || f.packages.some((k) => k.name.toLowerCase() === p);
    });
}
/** What becomes of one finding under the policy (blocking: counted and at or above the threshold). */
function dispose(f, policy, index) {
    if (!isCountedStatus(f.status))
        return { finding: f, disposition: 'inactive', blocking: false };
    const by = ignoringEntry(f, policy, index);
    if (by !== undefined)
        return { finding: f, disposition: 'ignored', ignoredBy: by, blocking: false };
    if (policy.onlyFixable && f.fixAvailable !== '' && f.fixAvailable !== 'YES' && f.fixAvailable !== 'PARTIAL')
        return { finding: f, disposition: 'not-fixable', blocking: false };
    return { finding: f, disposition: 'counted', blocking: blocks(f.severity, policy.threshold) };
}
/**
 * How many findings block, and the first of them (for the log), without building a verdict: the
 * wait loop asks this after every complete read, to fail as soon as a blocking finding is seen.
 */
function blockingIn(findings, policy, today) {
    const index = ignoreIndex(policy, today);
    let count = 0;
    let first;
    for (const f of findings) {
        if (!dispose(f, policy, index).blocking)
            continue;
        count += 1;
        if (first === undefined || (0,severity/* severityRank */.qs)(f.severity) > (0,severity/* severityRank */.qs)(first.severity))
            first = f;
    }
    return first ? { count, first } : { count };
}
/** The verdict. `today` is YYYY-MM-DD (UTC). */
function evaluate(findings, policy, today) {
    const index = ignoreIndex(policy, today);
    const matches = policy.ignore.map(() => 0);
    const counts = zeroCounts();
    const ignoredCounts = zeroCounts();
    const results = new Array(findings.length);
    const tally = { total: 0, ignored: 0, blocking: 0, basic: 0, enhanced: 0, highestRank: -1 };
    for (let n = 0; n < findings.length; n++) {
        const f = findings[n];
        const r = dispose(f, policy, index);
        results[n] = r;
        if (r.disposition === 'ignored') {
            const by = r.ignoredBy;
            matches[by] = (matches[by] ?? 0) + 1;
            ignoredCounts[f.severity] += 1;
            tally.ignored += 1;
        }
        else if (r.disposition === 'counted') {
            counts[f.severity] += 1;
            tally.total += 1;
            tally.highestRank = Math.max(tally.highestRank, (0,severity/* severityRank */.qs)(f.severity));
            if (r.blocking)
                tally.blocking += 1;
            if (policy.onlyFixable && f.fixAvailable === '')
                tally[f.source] += 1;
        }
    }
    return {
        results,
        counts,
        ignoredCounts,
        total: tally.total,
        ignored: tally.ignored,
        blocking: tally.blocking,
        highest: tally.highestRank < 0 ? 'NONE' : (0,severity/* severityOfRank */.V6)(tally.highestRank),
        failed: tally.blocking > 0,
        expired: policy.ignore.filter((e) => isExpired(e, today)),
        unused: policy.ignore.filter((e, i) => !isExpired(e, today) && matches[i] === 0),
        matches,
        fixUnknown: tally.basic + tally.enhanced,
        fixUnknownBasic: tally.basic,
        fixUnknownEnhanced: tally.enhanced,
    };
}

;// CONCATENATED MODULE: ./src/gate/sarif.ts
/**
 * SARIF 2.1.0 that agrees with the gate, in the form github/codeql-action/upload-sarif accepts: a
 * rule per vulnerability (help text, link, `properties.security-severity`), a result per
 * vulnerability and set of packages (the platforms of an index merged), located at the Dockerfile
 * with the image as logical location. Counted findings are results; findings an ignore entry set
 * aside are results with a SARIF `suppressions` entry carrying the entry's reason (suppressed, not
 * alerting, in SARIF's terms); inactive (SUPPRESSED/CLOSED in Inspector) and only-fixable drops are
 * left out. Pure.
 */

/**
 * Code scanning's bands for `security-severity`: over 9.0 critical, 7.0–8.9 high, 4.0–6.9 medium,
 * 3.9 or less low. [lowest, highest, default]. INFORMATIONAL and UNDEFINED have no band of their
 * own: they take valid values at the bottom of the low band (never 0.0).
 */
const BANDS = {
    CRITICAL: [9.1, 10.0, 9.5],
    HIGH: [7.0, 8.9, 8.0],
    MEDIUM: [4.0, 6.9, 5.5],
    LOW: [0.1, 3.9, 2.0],
    INFORMATIONAL: [0.1, 1.0, 0.5],
    UNDEFINED: [0.1, 1.0, 0.5],
};
/** The score within the band of the gate's severity (clamped to it), or the band's default. */
function securitySeverity(severity, score) {
    const [lo, hi, dflt] = BANDS[severity];
    const s = score === undefined || !Number.isFinite(score) ? dflt : Math.min(hi, Math.max(lo, score));
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
function noteRule(rules, e) {
    const f = e.finding;
    const counted = e.disposition === 'counted';
    let r = rules.get(f.id);
    if (!r) {
        r = { index: rules.size, finding: f, severity: f.severity, score: f.score, counted };
        rules.set(f.id, r);
        return r;
    }
    if (counted && !r.counted)
        Object.assign(r, { finding: f, severity: f.severity, score: f.score, counted });
    else if (counted === r.counted) {
        const d = (0,severity/* severityRank */.qs)(f.severity) - (0,severity/* severityRank */.qs)(r.severity);
        if (d > 0 || (d === 0 && (f.score ?? -1) > (r.score ?? -1)))
            Object.assign(r, { finding: f, severity: f.severity, score: f.score });
    }
    return r;
}
/** Rules and results of the counted and ignored findings, in the order first seen. */
function collect(verdict) {
    const rules = new Map();
    const results = new Map();
    for (const e of verdict.results) {
        if (e.disposition !== 'counted' && e.disposition !== 'ignored')
            continue;
        const f = e.finding;
        noteRule(rules, e);
        const pkgs = f.packages.map((p) => `${p.name}\u0000${p.version}`).join('\u0001');
        const key = `${e.disposition}\u0002${f.id}\u0002${pkgs}`;
        let r = results.get(key);
        if (!r) {
            r = { finding: f, platforms: [] };
            if (e.ignoredBy !== undefined)
                r.ignoredBy = e.ignoredBy;
            results.set(key, r);
        }
        else if ((0,severity/* severityRank */.qs)(f.severity) > (0,severity/* severityRank */.qs)(r.finding.severity))
            r.finding = f;
        if (f.platform && !r.platforms.includes(f.platform))
            r.platforms.push(f.platform);
    }
    return { rules, results };
}
function ruleJson(r) {
    const f = r.finding;
    const url = vulnUrl(f);
    const about = (f.description || f.title || f.id).slice(0, 600);
    const rule = {
        id: ruleId(f.id),
        name: ruleId(f.id),
        shortDescription: { text: `${f.id} (${r.severity})` },
        fullDescription: { text: about },
        help: { text: `${about}${url ? ` More: ${url}` : ''}` },
        defaultConfiguration: { level: level(r.severity) },
        properties: {
            'security-severity': securitySeverity(r.severity, r.score),
            tags: ['security', 'vulnerability', 'container', r.severity.toLowerCase()],
        },
    };
    if (url)
        rule.helpUri = url;
    return JSON.stringify(rule);
}
function resultJson(r, rule, ctx, artifact) {
    const f = r.finding;
    const q = JSON.stringify;
    const where = r.platforms.length > 0 ? ` (${[...r.platforms].sort().join(', ')})` : '';
    const named = f.packages.filter((p) => p.name !== '');
    const pkg = named.length > 0 ? named.map((p) => `${p.name} ${p.version}`.trim()).join(', ') : 'the image';
    const fix = f.fixedIn ? `; fixed in ${f.fixedIn}` : '';
    const props = `{"package":${q(f.package)},"installedVersion":${q(f.version)},"fixedVersion":${q(f.fixedIn)},"packages":${q(f.packages)},"severity":"${f.severity}"` +
        (f.score !== undefined ? `,"score":${f.score}` : '') +
        (f.fixAvailable ? `,"fixAvailable":${q(f.fixAvailable)}` : '') +
        (f.exploitAvailable ? `,"exploitAvailable":${q(f.exploitAvailable)}` : '') +
        '}';
    let suppressions = '';
    if (r.ignoredBy !== undefined) {
        const e = ctx.ignore?.[r.ignoredBy];
        const why = e ? e.reason || `ignored by ${e.source}` : 'ignored by an ignore entry';
        const until = e?.until ? ` (until ${e.until})` : '';
        suppressions = `,"suppressions":[{"kind":"external","status":"accepted","justification":${q(`${why}${until}`)}}]`;
    }
    return (`{"ruleId":${q(ruleId(f.id))},"ruleIndex":${rule.index},"level":"${level(f.severity)}",` +
        `"message":${q({ text: `${f.id} (${f.severity}) in ${pkg}${fix}${where}` })},` +
        `"locations":[{"physicalLocation":{"artifactLocation":${artifact},"region":{"startLine":1}},` +
        `"logicalLocations":[{"index":0}]}],` +
        `"partialFingerprints":${q({ 'ecrFinding/v1': `${f.id}:${f.package}:${f.version}` })},` +
        `"properties":${props}${suppressions}}`);
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
    const { rules, results } = collect(verdict);
    const driver = {
        name: 'ecr-supply-chain',
        informationUri: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/image-scanning.html',
        version: ctx.toolVersion,
    };
    yield `{"$schema":"https://json.schemastore.org/sarif-2.1.0.json","version":"2.1.0","runs":[{"tool":{"driver":${JSON.stringify(driver).slice(0, -1)},"rules":[\n`;
    let i = 0;
    for (const r of rules.values())
        yield (i++ === 0 ? '' : ',\n') + ruleJson(r);
    const category = JSON.stringify({ id: `ecr-scan/${ctx.imageRef.replace(/@.*$/, '')}/` });
    // The image is the one logical location every result points at (by index 0).
    const logical = JSON.stringify([{ name: ctx.imageRef, fullyQualifiedName: ctx.imageRef, kind: 'module' }]);
    yield `\n]}},"automationDetails":${category},"logicalLocations":${logical},"results":[\n`;
    const artifact = JSON.stringify({ uri: ctx.artifactUri });
    let first = true;
    for (const r of results.values()) {
        yield (first ? '' : ',\n') + resultJson(r, rules.get(r.finding.id), ctx, artifact);
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
    return ((0,severity/* severityRank */.qs)(b.severity) - (0,severity/* severityRank */.qs)(a.severity) ||
        (b.score ?? -1) - (a.score ?? -1) ||
        (a.id < b.id ? -1 : a.id > b.id ? 1 : 0) ||
        (a.package < b.package ? -1 : a.package > b.package ? 1 : 0));
}
function thresholdText(t) {
    return t === 'NONE' ? 'report only (severity-threshold: NONE)' : `at or above ${t}`;
}
function countList(v) {
    return severity/* SEVERITIES */.oC.filter((s) => v.counts[s] > 0)
        .map((s) => `${v.counts[s]} ${s}`)
        .join(', ');
}
/** The one-line verdict (summary order 0 and the log). */
function verdictLine(v, facts) {
    const t = facts.policy.threshold;
    const unsettled = facts.countsSettled ? '' : ' (counts may be incomplete: the finding set had not settled)';
    if (v.failed && v.blocking === 0) {
        return `❌ Scan gate failed: a complete read showed a blocking finding (${facts.blockingSeen ?? 'at or above the threshold'}) in ${facts.imageRef}; the last read no longer lists it, and a failed verdict stays failed${unsettled}`;
    }
    if (v.failed) {
        const blocking = severity/* SEVERITIES */.oC.filter((s) => v.counts[s] > 0 && (0,severity/* severityRank */.qs)(s) >= (0,severity/* severityRank */.qs)(t))
            .map((s) => `${v.counts[s]} ${s}`)
            .join(', ');
        return `❌ Scan gate failed: ${v.blocking} finding${v.blocking === 1 ? '' : 's'} ${thresholdText(t)} (${blocking}) in ${facts.imageRef}${unsettled}`;
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
    return url ? `[${(0,report/* cell */.Hn)(f.id)}](${url.replace(/\)/g, '%29')})` : (0,report/* cell */.Hn)(f.id);
}
function findingRow(f, multi) {
    const fix = f.fixedIn ? ` → ${(0,report/* cell */.Hn)(f.fixedIn)}` : '';
    const cells = [
        idLink(f),
        (0,report/* cell */.Hn)(f.package || '–') + (f.packages.length > 1 ? ` (+${f.packages.length - 1} more)` : ''),
        `${(0,report/* cell */.Hn)(f.version || '–')}${fix}`,
        f.severity +
            (f.rawSeverity && f.rawSeverity.toUpperCase() !== f.severity ? ` (${(0,report/* cell */.Hn)(f.rawSeverity)})` : ''),
        scoreText(f),
        f.fixAvailable || '–',
        f.exploitAvailable || '–',
    ];
    if (multi)
        cells.push((0,report/* cell */.Hn)(f.platform));
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
    const out = ['### Scan gate', '', ...factRows(v, facts, multi), '', ...severityRows(v)];
    const notes = countNotes(v);
    if (notes.length > 0)
        out.push('', `_${notes.join('; ')}._`);
    out.push(...topFindingRows(v, multi), ...ignoreRows(v, facts));
    return truncateSection(out.join('\n'), limitBytes);
}
function factRows(v, facts, multi) {
    const fixable = facts.policy.onlyFixable ? ', only fixable' : '';
    const rows = [
        '| | |',
        '|---|---|',
        `| Verdict | ${v.failed ? '❌ failed' : '✅ passed'} (threshold ${facts.policy.threshold}${fixable}) |`,
        `| Scan | ${facts.scanType}, status ${facts.scanStatus} (waited ${facts.elapsedSeconds} s) |`,
        `| Counts | ${countsText(facts)} |`,
        `| Image | \`${(0,report/* cell */.Hn)(facts.imageRef)}\` |`,
    ];
    if (!multi)
        return rows;
    for (const p of facts.platforms) {
        rows.push(`| Platform ${(0,report/* cell */.Hn)(p.platform || 'image')} | \`${p.digest}\`: ${p.status}, ${p.findings} finding${p.findings === 1 ? '' : 's'} |`);
    }
    return rows;
}
function severityRows(v) {
    const rows = ['| Severity | Counted | Ignored |', '|---|---:|---:|'];
    for (const s of severity/* SEVERITIES */.oC)
        rows.push(`| ${SEV_LABEL[s]} | ${v.counts[s]} | ${v.ignoredCounts[s]} |`);
    rows.push(`| **Total** | **${v.total}** | **${v.ignored}** |`);
    return rows;
}
function countNotes(v) {
    const notFixable = v.results.reduce((n, r) => n + (r.disposition === 'not-fixable' ? 1 : 0), 0);
    const inactive = v.results.reduce((n, r) => n + (r.disposition === 'inactive' ? 1 : 0), 0);
    const notes = [];
    if (notFixable > 0)
        notes.push(`${notFixable} without a fix not counted (only-fixable)`);
    if (inactive > 0)
        notes.push(`${inactive} suppressed or closed in Inspector not counted`);
    notes.push(...fixUnknownNotes(v));
    return notes;
}
function topFindingRows(v, multi) {
    const top = topN(v.results, MAX_ROWS, (e) => e.disposition === 'counted');
    if (top.length === 0)
        return [];
    const of = v.total > top.length ? ` (${top.length} of ${v.total}; the report file and the SARIF hold all)` : '';
    const head = ['ID', 'Package', 'Installed → fixed', 'Severity', 'Score', 'Fix', 'Exploit'];
    if (multi)
        head.push('Platform');
    return [
        '',
        `#### Top findings${of}`,
        '',
        `| ${head.join(' | ')} |`,
        `|${head.map(() => '---').join('|')}|`,
        ...top.map((f) => findingRow(f, multi)),
    ];
}
function ignoreRows(v, facts) {
    const entries = facts.policy.ignore;
    if (entries.length === 0)
        return [];
    const rows = ['', '#### Ignore entries', '', '| Entry | Reason | Expires | Matched |', '|---|---|---|---:|'];
    entries.slice(0, MAX_IGNORED_ROWS).forEach((e, i) => {
        const expired = e.until !== undefined && e.until < facts.today;
        const expires = e.until ? `${e.until}${expired ? ' **expired: no longer ignores**' : ''}` : 'never';
        rows.push(`| \`${(0,report/* cell */.Hn)(entryText(e))}\` | ${(0,report/* cell */.Hn)(e.reason) || '–'} | ${expires} | ${v.matches[i] ?? 0} |`);
    });
    if (entries.length > MAX_IGNORED_ROWS)
        rows.push('', `_…and ${entries.length - MAX_IGNORED_ROWS} more entries._`);
    return rows;
}
function truncateSection(text, limitBytes) {
    if (Buffer.byteLength(text) <= limitBytes)
        return text;
    const note = '\n\n> Section truncated to fit the job summary; the report file holds every finding.';
    const cut = text.slice(0, limitBytes - note.length);
    return cut.slice(0, cut.lastIndexOf('\n')) + note;
}
function countsText(facts) {
    if (facts.countsSettled)
        return `complete: every finding set stayed the same for scan-settle-seconds (${(0,report/* cell */.Hn)(facts.platforms.map((p) => `${p.findings}`).join(' + '))} findings read)`;
    const why = facts.unsettled.map(report/* cell */.Hn).join('; ');
    return `⚠️ may be incomplete: the finding set had not settled when the gate ended${why ? ` (${why})` : ''}`;
}
/** only-fixable counted findings whose fix state is unknown: say which scanner left it open. */
function fixUnknownNotes(v) {
    const notes = [];
    if (v.fixUnknownBasic > 0)
        notes.push(`${v.fixUnknownBasic} basic-scan finding${v.fixUnknownBasic === 1 ? '' : 's'} counted although only-fixable is on: basic scanning does not say whether a fix exists`);
    if (v.fixUnknownEnhanced > 0)
        notes.push(`${v.fixUnknownEnhanced} enhanced-scan finding${v.fixUnknownEnhanced === 1 ? '' : 's'} counted although only-fixable is on: Amazon Inspector gave no fixAvailable for ${v.fixUnknownEnhanced === 1 ? 'it' : 'them'}`);
    return notes;
}
/** `::error` annotations: one per blocking finding, capped, and one for the rest. */
function reports_annotations(v, imageRef, cap = 10) {
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
    for (const s of severity/* SEVERITIES */.oC)
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
    // Built as text, a finding a line: 50,000 findings without one giant intermediate object.
    yield JSON.stringify(reportHead(v, facts, gate, message), null, 2).replace(/\n}$/, ',\n  "findings": [');
    const rows = v?.results ?? [];
    for (let i = 0; i < rows.length; i++) {
        yield `${i === 0 ? '\n' : ',\n'}    ${JSON.stringify(reportRow(rows[i], facts.policy))}`;
    }
    yield rows.length > 0 ? '\n  ]\n}\n' : ']\n}\n';
}
function reportHead(v, facts, gate, message) {
    const policy = facts.policy;
    return {
        version: 1,
        image: facts.imageRef,
        digest: facts.digest,
        scanType: facts.scanType,
        scanStatus: facts.scanStatus,
        gate,
        message,
        countsSettled: v ? facts.countsSettled : null,
        unsettled: facts.unsettled,
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
}
function reportRow(r, policy) {
    const f = r.finding;
    const row = {
        id: f.id,
        severity: f.severity,
        rawSeverity: f.rawSeverity,
        package: f.package,
        version: f.version,
        fixedIn: f.fixedIn,
        packages: f.packages,
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
    return row;
}

// EXTERNAL MODULE: ./src/gate/decision.ts
var gate_decision = __webpack_require__(7565);
;// CONCATENATED MODULE: ./src/gate/wait.ts




/** Waits until the gate can decide on every target (or the budget ends). */
async function waitForGate(deps, targets, cfg, opts) {
    const deadline = cfg.startedAt + cfg.timeoutMs;
    const multi = targets.length > 1 || targets.some((t) => t.platform !== '');
    const slots = targets.map((target) => ({
        target,
        label: target.platform || target.digest,
        state: (0,gate_status/* initialState */.ue)(cfg),
        findings: [],
        read: false,
        dueAt: deps.clock(),
        shown: '',
    }));
    if (opts.startScanNow)
        for (const s of slots)
            await startScan(deps, s, cfg);
    for (;;) {
        for (const s of slots) {
            if (s.end !== undefined || s.dueAt > deps.clock() || deps.clock() >= deadline)
                continue;
            await look(deps, s, cfg);
        }
        const platforms = slots.map((s) => snapshot(s, multi));
        const decision = (0,gate_decision/* decideGate */.q7)({ platforms, now: deps.clock(), cfg, onUnavailable: opts.onUnavailable });
        if (decision.kind !== 'wait')
            return { decision, platforms: slots };
        const open = slots.filter((s) => s.end === undefined).map((s) => s.dueAt);
        const next = Math.min(deadline, ...open);
        await deps.sleep(Math.max(0, next - deps.clock()));
    }
}
function snapshot(s, multi) {
    const p = { label: s.label, multi, state: s.state };
    if (s.end)
        p.end = s.end;
    return p;
}
/** StartImageScan once; what it answered becomes an observation (or the end of this image's wait). */
async function startScan(deps, s, cfg) {
    const bounds = { deadline: cfg.startedAt + cfg.timeoutMs, clock: deps.clock };
    const r = await startImageScan(deps.api, s.target.digest, callSignal(bounds));
    if (r.kind === 'unsupported') {
        s.end = {
            status: 'UNSUPPORTED_IMAGE',
            message: `ECR cannot scan this image: ${r.message}`,
            relaxable: true,
        };
        return;
    }
    if (r.kind === 'already-scanned')
        deps.log(`StartImageScan: ${s.label} was already scanned in the last 24 hours; reading that scan`);
    else if (r.kind === 'not-possible')
        deps.warn(`Could not start a basic scan of ${s.label} (${r.message}); waiting for one anyway. Grant ecr:StartImageScan, or turn on scan-on-push.`);
    else
        deps.log(`Started a basic scan of ${s.label}`);
    apply(s, (0,gate_status/* nextStep */.sk)(s.state, { kind: 'scan-started', calls: 1 }, deps.clock(), cfg), deps.clock());
}
function apply(s, t, now) {
    s.state = t.state;
    if (t.step.kind === 'poll')
        s.dueAt = now + t.step.delayMs;
    if (t.step.kind === 'end')
        s.end = t.step.end;
    return t.step;
}
/** One read of one image, fed to its state machine. */
async function look(deps, s, cfg) {
    const read = await readScan(deps.api, s.target, {
        deadline: cfg.startedAt + cfg.timeoutMs,
        clock: deps.clock,
    });
    const obs = observe(deps, s, read);
    const wasBlocking = s.state.blocking;
    const step = apply(s, (0,gate_status/* nextStep */.sk)(s.state, obs, deps.clock(), cfg), deps.clock());
    if (step.kind === 'start-scan')
        await startScan(deps, s, cfg);
    if (s.state.blocking && !wasBlocking)
        deps.log(`Blocking finding in ${s.label}: ${s.state.blockingText ?? ''}. The gate fails; reading on until the counts settle (scan-settle-seconds: ${cfg.settleMs / 1000}) or the budget ends.`);
}
/** A read as the state machine sees it; keeps the findings of a consistent pass; logs what changed. */
function observe(deps, s, read) {
    let obs;
    let shown;
    if (read.kind !== 'status') {
        obs = read;
        shown = read.kind === 'error' ? `error: ${read.message}` : read.kind;
    }
    else {
        obs = { kind: 'status', status: read.status, description: read.description, calls: read.calls };
        shown = read.status || '(no status)';
        if (read.cut)
            obs.cut = true;
        const pass = read.pass;
        if (pass && !pass.consistent) {
            obs.pass = { consistent: false, problems: pass.problems, fingerprint: '', count: 0, blocking: 0 };
            shown += ` (inconsistent read: ${pass.problems.join('; ')}; reading again)`;
        }
        else if (pass) {
            const b = deps.blocking(pass.findings);
            obs.pass = {
                consistent: true,
                problems: [],
                fingerprint: findings_fingerprint(pass.findings),
                count: pass.findings.length,
                blocking: b.count,
            };
            if (b.first)
                obs.pass.blockingText = `${b.first.severity} ${b.first.id}${b.first.package ? ` in ${b.first.package} ${b.first.version}`.trimEnd() : ''}`;
            s.findings = pass.findings;
            s.read = true;
            noteScanType(s, read.status);
            shown += ` (${pass.findings.length} findings)`;
        }
    }
    if (shown !== s.shown)
        deps.log(`Scan of ${s.label}: ${shown}`);
    s.shown = shown;
    return obs;
}
function noteScanType(s, status) {
    if (status === 'ACTIVE' || s.findings.some((f) => f.source === 'enhanced'))
        s.scanType = 'ENHANCED';
    else if (s.findings.length > 0)
        s.scanType = 'BASIC';
}

;// CONCATENATED MODULE: ./package.json
const package_namespaceObject = {"rE":"0.1.0"};
;// CONCATENATED MODULE: ./src/version.ts
/**
 * The action's version: package.json's `version`, the one place it is written. ncc inlines the JSON
 * at bundle time, so dist/ carries it and nothing reads package.json at run time. The SARIF driver
 * version (and anything else that names the release) comes from here.
 */

const VERSION = package_namespaceObject.rE;

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
            const code = err.code ?? (0,errors/* errorMessage */.gJ)(err);
            problems.push(`Invalid input 'ignore-file': cannot read ${inputs.ignoreFile} (${code}). Expected a file in the workspace with entries 'ID [until=YYYY-MM-DD] [package=NAME] [# reason]', or a YAML list of {id, until, package, reason}.`);
        }
        if (text !== undefined) {
            const yaml = isYamlList(text) ? (await __webpack_require__.e(/* import() */ 815).then(__webpack_require__.t.bind(__webpack_require__, 8815, 19))).parse : undefined;
            const fromFile = parseIgnoreFile(text, 'ignore-file', yaml);
            problems.push(...fromFile.problems);
            ignore.push(...fromFile.entries);
        }
    }
    if (problems.length > 0)
        throw new errors/* InputError */.dz(problems);
    return {
        enabled: inputs.waitForScan,
        policy: { threshold: inputs.severityThreshold, onlyFixable: inputs.onlyFixable, ignore },
    };
}
/** Waits for the findings of the pushed digest, decides, reports. */
async function runGate(context, plan, deps, tuning = {}) {
    if (!plan.enabled) {
        src_core/* info */.pq('Scan gate skipped (wait-for-scan: false)');
        return stageResult({ outputs: { gate: 'skipped', 'scan-status': 'SKIPPED' } });
    }
    const ctx = { ...context, ...deps };
    const { inputs, pushed } = ctx;
    const startedAt = ctx.clock();
    const api = {
        ecr: deps.ecr,
        registryId: pushed.registryId,
        repository: inputs.repository,
    };
    // 1. Scan mode, before any waiting.
    const mode = await discoverMode(ctx);
    if (mode.kind === 'not-covered') {
        return unavailable(ctx, plan, 'NONE', 'NOT_CONFIGURED', mode.message, [], startedAt);
    }
    logMode(mode);
    // 2. What to gate: the image, or each platform image of an index. No guessing: a manifest that
    //    cannot be read could be an index whose platforms would go unread.
    let targets;
    try {
        const budget = { deadline: startedAt + inputs.scanTimeoutSeconds * 1000, clock: ctx.clock };
        targets = await scanTargets(api, pushed.digest, callSignal(budget));
    }
    catch (err) {
        const msg = `Could not find the platform images of the pushed digest (${(0,errors/* errorMessage */.gJ)(err)}). The gate does not guess which images to read; grant ecr:BatchGetImage on the repository.`;
        return unavailable(ctx, plan, scanTypeOf(mode, []), 'ERROR', msg, [], startedAt, false);
    }
    if (targets.length > 1 || targets[0]?.platform) {
        src_core/* info */.pq(`Image index: gating ${targets.length} platform image(s): ${targets.map((t) => t.platform).join(', ')}`);
    }
    // 3. Wait until the gate can decide: fail fast on a blocking finding, pass late (wait.ts).
    const today = new Date(ctx.clock()).toISOString().slice(0, 10);
    const wait = { mode, api, targets, tuning, startedAt, today };
    const { decision, platforms } = await waitForVerdict(ctx, plan, wait);
    const scanType = scanTypeOf(mode, platforms);
    if (decision.kind === 'no-verdict') {
        const { status, message, relaxable } = decision;
        return unavailable(ctx, plan, scanType, status, message, platformScans(platforms), startedAt, relaxable);
    }
    // 4. Decide on the last consistent read of every platform.
    return concludeGate(ctx, plan, { decision, platforms, scanType, startedAt, today });
}
function logMode(mode) {
    if (mode.kind === 'unknown')
        src_core/* warning */.$e(`${mode.why}; waiting for findings anyway.`);
    else if (mode.kind === 'basic')
        src_core/* info */.pq(`Scanning: BASIC (${mode.scanOnPush ? 'scan on push' : 'manual: starting a scan'})`);
    else if (mode.kind === 'enhanced')
        src_core/* info */.pq(`Scanning: ENHANCED (${mode.frequency})`);
}
async function waitForVerdict(ctx, plan, w) {
    const { inputs } = ctx;
    const { mode, targets, today } = w;
    const cfg = {
        ...(0,gate_status/* defaultWaitConfig */.HB)(w.startedAt, inputs.scanTimeoutSeconds, inputs.scanSettleSeconds),
        startScanAfterGrace: mode.kind === 'unknown',
        ...w.tuning.wait,
    };
    cfg.msPerCall *= targets.length;
    const deps = {
        api: w.api,
        clock: ctx.clock,
        sleep: ctx.sleep,
        log: src_core/* info */.pq,
        warn: (l) => src_core/* warning */.$e(l),
        blocking: (f) => blockingIn(f, plan.policy, today),
    };
    return waitForGate(deps, targets, cfg, {
        startScanNow: mode.kind === 'basic' && !mode.scanOnPush,
        onUnavailable: inputs.onScanUnavailable,
    });
}
/** The verdict on the findings read; a blocking finding seen on the way stays a failure. */
async function concludeGate(ctx, plan, c) {
    const { decision, platforms } = c;
    const findings = [];
    for (const p of platforms)
        for (const f of p.findings)
            findings.push(f);
    const verdict = evaluate(findings, plan.policy, c.today);
    if (decision.kind === 'blocking')
        verdict.failed = true;
    const facts = gateFacts(ctx, plan, c.startedAt, {
        scanType: c.scanType,
        scanStatus: [...new Set(platforms.map((p) => p.state.last))].join(','),
        platforms: platformScans(platforms),
        countsSettled: decision.kind === 'passed' || decision.countsSettled,
        unsettled: decision.kind === 'blocking' ? decision.unsettled : [],
    });
    const seen = platforms.find((p) => p.state.blocking);
    if (seen?.state.blockingText)
        facts.blockingSeen = `${seen.state.blockingText}${seen.target.platform ? ` (${seen.target.platform})` : ''}`;
    return decide(ctx, verdict, facts);
}
function gateFacts(ctx, plan, startedAt, scan) {
    return {
        imageRef: ctx.pushed.imageRef,
        digest: ctx.pushed.digest,
        ...scan,
        policy: plan.policy,
        today: new Date(ctx.clock()).toISOString().slice(0, 10),
        elapsedSeconds: Math.round((ctx.clock() - startedAt) / 1000),
    };
}
/** The gate's mode, from the run's one answer to how the repository is covered. */
async function discoverMode(ctx) {
    const { coverage, problems } = await ctx.scanning.coverage();
    if (problems.length > 0) {
        const denied = problems.some((p) => p.denied);
        src_core/* warning */.$e(`Could not read the scanning configuration (${problems.map((p) => p.message).join('; ')}).` +
            (denied
                ? ' Grant ecr:GetRegistryScanningConfiguration and ecr:BatchGetRepositoryScanningConfiguration to let the gate know the scan mode before waiting.'
                : ''));
    }
    return scanMode(coverage, ctx.inputs.repository);
}
function scanTypeOf(mode, platforms) {
    if (mode.kind === 'basic')
        return 'BASIC';
    if (mode.kind === 'enhanced')
        return 'ENHANCED';
    if (mode.kind === 'not-covered')
        return 'NONE';
    const seen = platforms.flatMap((p) => (p.scanType ? [p.scanType] : []));
    if (seen.includes('ENHANCED'))
        return 'ENHANCED';
    if (seen.includes('BASIC') || platforms.some((p) => p.read))
        return 'BASIC';
    return 'NONE';
}
function platformScans(platforms) {
    return platforms.map((p) => ({
        digest: p.target.digest,
        platform: p.target.platform,
        status: p.end?.status ?? p.state.last,
        findings: p.findings.length,
    }));
}
function reportPaths(ctx) {
    const sarif = ctx.inputs.sarifFile;
    const dir = sarif ? external_node_path_.dirname(sarif) : ctx.env.RUNNER_TEMP || ctx.env.GITHUB_WORKSPACE || process.cwd();
    return sarif ? { sarif, report: external_node_path_.join(dir, REPORT_FILE) } : { report: external_node_path_.join(dir, REPORT_FILE) };
}
/**
 * Writes text given in chunks, 64 KiB at a time: the SARIF of 50,000 findings is never whole in
 * memory, and short-lived buffers keep the peak RSS down (npm run bench, 50k findings: 1 MiB
 * buffers ~318 MiB, 256 KiB ~300 MiB, 64 KiB ~274 MiB).
 */
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
                if (size >= 1 << 16) {
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
        src_core/* warning */.$e(`Could not write ${file}: ${(0,errors/* errorMessage */.gJ)(err)}`);
        return false;
    }
}
async function unavailable(ctx, plan, scanType, status, message, platforms, startedAt, relaxable = true) {
    // Only the conditions INTERFACE names are relaxed by on-scan-unavailable: warn.
    const fail = ctx.inputs.onScanUnavailable === 'fail' || !relaxable;
    const gate = fail ? 'failed' : 'unavailable';
    const outputs = { 'scan-type': scanType, 'scan-status': status, gate };
    const facts = gateFacts(ctx, plan, startedAt, {
        scanType,
        scanStatus: status,
        platforms,
        countsSettled: false,
        unsettled: [],
    });
    // No SARIF: an empty one would tell code scanning "0 findings".
    const { report } = reportPaths(ctx);
    if (await writeFile(report, reportChunks(undefined, facts, gate, message)))
        outputs['report-file'] = report;
    const line = unavailableLine(status, message, fail);
    const sections = {
        verdict: `### ${line.split(': ')[0]}\n\n${line.slice(line.indexOf(': ') + 2)}`,
        gate: [
            '### Scan gate',
            '',
            '| | |',
            '|---|---|',
            `| Verdict | ${fail ? '❌ failed' : '⚠️ unavailable'}: no trustworthy findings |`,
            `| Scan | ${scanType}, status ${status} (waited ${facts.elapsedSeconds} s) |`,
            `| Image | \`${ctx.pushed.imageRef}\` |`,
        ].join('\n'),
    };
    if (fail)
        return stageResult({ outputs, sections, failure: `Scan gate: ${status}: ${message}` });
    return stageResult({
        outputs,
        sections,
        annotations: [{ level: 'warning', message: `Scan gate unavailable (${status}): ${message}` }],
    });
}
async function decide(ctx, verdict, facts) {
    const gate = verdict.failed ? 'failed' : 'passed';
    const outputs = {
        'scan-type': facts.scanType,
        'scan-status': facts.scanStatus,
        ...pickOutputs(countOutputs(verdict)),
        gate,
    };
    const annotations = ignoreAnnotations(verdict, facts.imageRef);
    const paths = reportPaths(ctx);
    const [sarifOk, reportOk] = await Promise.all([
        paths.sarif
            ? writeFile(paths.sarif, sarifChunks(verdict, {
                imageRef: facts.imageRef,
                artifactUri: 'Dockerfile',
                toolVersion: VERSION,
                ignore: facts.policy.ignore,
            }))
            : Promise.resolve(false),
        writeFile(paths.report, reportChunks(verdict, facts, gate, '')),
    ]);
    if (sarifOk && paths.sarif)
        outputs['sarif-file'] = paths.sarif;
    if (reportOk)
        outputs['report-file'] = paths.report;
    const line = verdictLine(verdict, facts);
    src_core/* info */.pq(line);
    for (const a of reports_annotations(verdict, facts.imageRef))
        annotations.push({ level: 'error', message: a, title: 'Vulnerability blocks the image' });
    return stageResult({
        outputs,
        sections: { verdict: `### ${line}`, gate: gateSection(verdict, facts) },
        annotations,
        ...(verdict.failed ? { failure: line.replace(/^❌ /, '') } : {}),
    });
}
/** Expired ignore entries warn (they no longer ignore anything); unused ones get a notice. */
function ignoreAnnotations(verdict, imageRef) {
    return [
        ...verdict.expired.map((e) => ({
            level: 'warning',
            message: `Ignore entry '${e.id}' (${e.source}) expired on ${e.until ?? ''}: it no longer ignores anything. Fix the finding, or renew the entry with a new until= date.`,
        })),
        ...verdict.unused.map((e) => ({
            level: 'notice',
            message: `Ignore entry '${e.id}' (${e.source}) matched no finding of ${imageRef}: remove it if it is no longer needed.`,
        })),
    ];
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
const policy_show = (v) => {
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
    const parsed = parsePolicy(raw, label, at);
    if (parsed.kind === 'invalid')
        return { ok: false, problems: parsed.problems ?? problems };
    const seen = { byPriority: new Map(), anyRules: [] };
    parsed.rules.forEach((rule, i) => checkRule(rule, i, at, seen));
    checkAcrossRules(seen, at);
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
    return { ok: true, policy: parsed.doc, text };
}
/** The document and its rules, or why there is nothing to check rule by rule. */
function parsePolicy(raw, label, at) {
    let doc;
    try {
        doc = JSON.parse(raw.replace(/^\uFEFF/, ''));
    }
    catch (err) {
        const why = err instanceof Error ? err.message : String(err);
        return {
            kind: 'invalid',
            problems: [
                `Invalid input 'lifecycle-policy' (${label}): not valid JSON (${why}). Expected an ECR lifecycle policy: {"rules": [...]}.`,
            ],
        };
    }
    if (!isObject(doc)) {
        at('top level', `${policy_show(doc)} is not an object. Expected {"rules": [...]}.`);
        return { kind: 'invalid' };
    }
    for (const key of Object.keys(doc)) {
        if (!TOP_KEYS.includes(key))
            at(`field '${key}'`, `unknown field. Expected only "rules" at the top level.`);
    }
    const rules = doc.rules;
    if (!Array.isArray(rules) || rules.length === 0) {
        at("field 'rules'", `${rules === undefined ? 'missing' : policy_show(rules)}. Expected a non-empty list of rules.`);
        return { kind: 'invalid' };
    }
    return { kind: 'parsed', doc, rules };
}
function checkRule(rule, i, at, seen) {
    const priority = isObject(rule) && isPositiveInt(rule.rulePriority) ? rule.rulePriority : undefined;
    const name = `rule ${i + 1}${priority !== undefined ? ` (rulePriority ${priority})` : ''}`;
    const field = (path, message) => at(`${name}, field '${path}'`, message);
    if (!isObject(rule)) {
        at(name, `${policy_show(rule)} is not an object. Expected {"rulePriority", "selection", "action"}.`);
        return;
    }
    unknownKeys(rule, RULE_KEYS, '', `Expected only ${RULE_KEYS.join(', ')}.`, field);
    const p = rule.rulePriority;
    if (checkPriority(p, field))
        seen.byPriority.set(p, [...(seen.byPriority.get(p) ?? []), i + 1]);
    if (rule.description !== undefined && typeof rule.description !== 'string') {
        field('description', `${policy_show(rule.description)}. Expected a string.`);
    }
    const sel = rule.selection;
    if (!isObject(sel)) {
        field('selection', `${sel === undefined ? 'missing' : policy_show(sel)}. Expected {"tagStatus", "countType", "countNumber", ...}.`);
    }
    else {
        checkSelection(sel, field);
        if (sel.tagStatus === 'any') {
            seen.anyRules.push({ index: i + 1, priority: typeof p === 'number' ? p : undefined });
        }
    }
    checkAction(rule.action, field);
}
function checkPriority(p, field) {
    const expected = `Expected a whole number from ${PRIORITY_MIN} to ${PRIORITY_MAX}.`;
    if (p === undefined)
        field('rulePriority', `missing. ${expected}`);
    else if (typeof p !== 'number' || !Number.isInteger(p) || p < PRIORITY_MIN || p > PRIORITY_MAX) {
        field('rulePriority', `${policy_show(p)}. ${expected}`);
    }
    else
        return true;
    return false;
}
function unknownKeys(obj, known, prefix, expected, field) {
    for (const key of Object.keys(obj)) {
        if (!known.includes(key))
            field(`${prefix}${key}`, `unknown field. ${expected}`);
    }
}
function checkSelection(sel, field) {
    unknownKeys(sel, SELECTION_KEYS, 'selection.', `Expected only ${SELECTION_KEYS.join(', ')}.`, field);
    checkTagSelection(sel, field);
    checkCount(sel, field);
}
/** tagStatus, and the prefix or pattern list that goes with it. */
function checkTagSelection(sel, field) {
    const status = sel.tagStatus;
    if (!TAG_STATUSES.includes(status)) {
        field('selection.tagStatus', `${status === undefined ? 'missing' : policy_show(status)}. Expected one of "tagged", "untagged", "any".`);
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
}
/** countType, countUnit and countNumber. */
function checkCount(sel, field) {
    const countType = sel.countType;
    if (!COUNT_TYPES.includes(countType)) {
        field('selection.countType', `${countType === undefined ? 'missing' : policy_show(countType)}. Expected "imageCountMoreThan" or "sinceImagePushed".`);
    }
    if (countType === 'sinceImagePushed') {
        if (sel.countUnit === undefined) {
            field('selection.countUnit', `missing: countType "sinceImagePushed" needs "countUnit": "days".`);
        }
        else if (sel.countUnit !== 'days') {
            field('selection.countUnit', `${policy_show(sel.countUnit)}. Expected "days".`);
        }
    }
    else if (countType === 'imageCountMoreThan' && sel.countUnit !== undefined) {
        field('selection.countUnit', `not allowed with countType "imageCountMoreThan" (it counts images, not days). Remove it.`);
    }
    const n = sel.countNumber;
    if (!isPositiveInt(n)) {
        field('selection.countNumber', `${n === undefined ? 'missing' : policy_show(n)}. Expected a whole number of at least 1 (${countType === 'sinceImagePushed' ? 'days' : 'images to keep'}).`);
    }
}
function checkAction(action, field) {
    if (!isObject(action)) {
        field('action', `${action === undefined ? 'missing' : policy_show(action)}. Expected {"type": "expire"}.`);
        return;
    }
    unknownKeys(action, ACTION_KEYS, 'action.', 'Expected only "type".', field);
    if (action.type !== 'expire') {
        field('action.type', `${action.type === undefined ? 'missing' : policy_show(action.type)}. Expected "expire".`);
    }
}
/** One rule per rulePriority; at most one "any" rule, evaluated last. */
function checkAcrossRules({ byPriority, anyRules }, at) {
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
}
function checkTagList(list, path, pattern, field) {
    const what = pattern
        ? 'tag patterns (letters, digits, _ . - and up to 4 *)'
        : 'tag prefixes (letters, digits, _ . -)';
    if (!Array.isArray(list) || list.length === 0) {
        field(path, `${policy_show(list)}. Expected a non-empty list of ${what}.`);
        return;
    }
    list.forEach((entry, j) => {
        const p = `${path}[${j}]`;
        if (typeof entry !== 'string' || entry === '')
            field(p, `${policy_show(entry)}. Expected one of the ${what}.`);
        else if (!(pattern ? PATTERN_CHARS : TAG_CHARS).test(entry))
            field(p, `${policy_show(entry)}. Expected ${what}.`);
        else if (pattern && (entry.match(/\*/g)?.length ?? 0) > MAX_WILDCARDS) {
            field(p, `${policy_show(entry)} has more than ${MAX_WILDCARDS} wildcards (*); ECR allows at most ${MAX_WILDCARDS}.`);
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
            const name = (0,errors/* errorName */.Is)(err);
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
        if ((0,errors/* errorName */.Is)(err) === 'LifecyclePolicyNotFoundException')
            return undefined;
        throw err;
    }
}
async function putLifecyclePolicy(ecr, repositoryName, registryId, lifecyclePolicyText) {
    const { PutLifecyclePolicyCommand } = await ecrSdk();
    await ecr.send(new PutLifecyclePolicyCommand({ repositoryName, registryId, lifecyclePolicyText }));
}
/**
 * StartLifecyclePolicyPreview with the policy text, then GetLifecyclePolicyPreview until it leaves
 * IN_PROGRESS (bounded by `timeoutMs`), every page of results.
 */
async function runLifecyclePreview(ecr, repositoryName, registryId, lifecyclePolicyText, opts) {
    const started = opts.clock();
    const run = {
        ecr,
        sdk: await ecrSdk(),
        repositoryName,
        registryId,
        lifecyclePolicyText,
        wait: async () => {
            if (opts.clock() - started + opts.pollMs > opts.timeoutMs)
                return false;
            await opts.sleep(opts.pollMs);
            return true;
        },
        timeout: (what) => ({
            status: 'TIMEOUT',
            detail: `${what} after ${Math.round((opts.clock() - started) / 1000)} s`,
        }),
    };
    const startFailure = await startPreview(run);
    return startFailure ?? awaitPreview(run);
}
/** Starts the preview; only one runs per repository at a time, another job's may be under way. */
async function startPreview(run) {
    const { repositoryName, registryId, lifecyclePolicyText } = run;
    for (;;) {
        try {
            await run.ecr.send(new run.sdk.StartLifecyclePolicyPreviewCommand({ repositoryName, registryId, lifecyclePolicyText }));
            return undefined;
        }
        catch (err) {
            if ((0,errors/* errorName */.Is)(err) !== 'LifecyclePolicyPreviewInProgressException')
                throw err;
            if (!(await run.wait()))
                return run.timeout('another preview of this repository was still running');
        }
    }
}
/** Polls until the preview of this policy ends, then reads every page of it. */
async function awaitPreview(run) {
    const { repositoryName, registryId } = run;
    const wanted = normalizePolicyText(run.lifecyclePolicyText);
    for (;;) {
        let out;
        try {
            out = await run.ecr.send(new run.sdk.GetLifecyclePolicyPreviewCommand({ repositoryName, registryId, maxResults: 100 }));
        }
        catch (err) {
            if ((0,errors/* errorName */.Is)(err) !== 'LifecyclePolicyPreviewNotFoundException')
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
            return { status: 'COMPLETE', results: await allResults(run, out.previewResults, out.nextToken) };
        }
        if (!(await run.wait()))
            return run.timeout('the preview was still in progress');
    }
}
async function allResults(run, first, nextToken) {
    const results = [...(first ?? [])];
    let token = nextToken;
    while (token) {
        const page = await run.ecr.send(new run.sdk.GetLifecyclePolicyPreviewCommand({
            repositoryName: run.repositoryName,
            registryId: run.registryId,
            maxResults: 100,
            nextToken: token,
        }));
        results.push(...(page.previewResults ?? []));
        token = page.nextToken;
    }
    return results;
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
    const code = (s) => `\`${(0,report/* cell */.Hn)(s)}\``;
    const lines = [
        '### Repository governance',
        '',
        '| | |',
        '|---|---|',
        `| Repository | ${code(r.repository)}: ${ORIGIN[r.origin]} |`,
        `| Scan on push | ${r.scanOnPush === 'off' ? '**off**' : (0,report/* cell */.Hn)(r.scanOnPush)} |`,
        `| Tag mutability | ${(0,report/* cell */.Hn)(r.mutability)} |`,
        `| Encryption | ${(0,report/* cell */.Hn)(r.encryption)} |`,
        `| Enhanced scanning covers it | ${(0,report/* cell */.Hn)(r.enhanced)} |`,
        `| Lifecycle policy | ${policyCell(r.policy)} |`,
    ];
    if (r.differences.length > 0) {
        lines.push('', `> The repository differs from the inputs (not changed by this action): ${r.differences.map(report/* cell */.Hn).join('; ')}.`);
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
            return `applied from \`${(0,report/* cell */.Hn)(p.file)}\` (${p.replaced ? 'replaced a different policy' : 'the repository had none'})`;
        case 'unchanged':
            return `unchanged: the repository already has \`${(0,report/* cell */.Hn)(p.file)}\``;
        case 'failed':
            return `**not applied** (\`${(0,report/* cell */.Hn)(p.file)}\`): ${(0,report/* cell */.Hn)(p.reason)}`;
    }
}
function previewMarkdown(p) {
    if (p.kind === 'skipped')
        return undefined;
    if (p.kind === 'unavailable')
        return `**Lifecycle preview:** unavailable: ${(0,report/* cell */.Hn)(p.reason)}`;
    const { summary } = p;
    const lines = [
        `**Lifecycle preview:** ${summary.total === 0 ? 'nothing would expire now' : `${summary.total} image${summary.total === 1 ? '' : 's'} would expire now`}`,
        '',
        '| Rule | What it does | Would expire | Tags |',
        '|---|---|---|---|',
    ];
    for (const rule of summary.rules) {
        const shown = rule.tags.slice(0, MAX_TAGS).map((t) => `\`${(0,report/* cell */.Hn)(t)}\``);
        if (rule.tags.length > MAX_TAGS)
            shown.push(`… and ${rule.tags.length - MAX_TAGS} more`);
        const count = rule.untagged > 0 ? `${rule.count} (${rule.untagged} untagged)` : String(rule.count);
        lines.push(`| ${rule.rulePriority} | ${(0,report/* cell */.Hn)(rule.description)} | ${count} | ${shown.join(', ') || '–'} |`);
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
/** Whether the registry's enhanced scanning covers the repository, as one phrase for the summary. */
function coveragePhrase(coverage) {
    switch (coverage.kind) {
        case 'UNKNOWN':
            return `unknown (${coverage.short})`;
        case 'BASIC_SCAN_ON_PUSH':
        case 'BASIC_MANUAL':
            return `no (registry scanning is ${coverage.scanType})`;
        case 'CONTINUOUS_SCAN':
        case 'SCAN_ON_PUSH':
            return coverage.filter === undefined
                ? `yes (${coverage.kind})`
                : `yes (${coverage.kind}, filter \`${coverage.filter}\`)`;
        case 'NONE':
            return 'no (ENHANCED, but no scan-on-push or continuous rule matches this repository: it is never scanned)';
    }
}
/** Whether a tag can be moved to another image in a repository with these settings. */
function tagIsMutable(repo, tag) {
    const mode = repo.imageTagMutability ?? 'MUTABLE';
    const excluded = (repo.imageTagMutabilityExclusionFilters ?? []).some((f) => f.filter !== undefined && wildcardMatches(f.filter, tag));
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
    const { readFile } = await Promise.resolve(/* import() */).then(__webpack_require__.t.bind(__webpack_require__, 1455, 23));
    let raw;
    try {
        raw = await readFile(file, 'utf8');
    }
    catch (err) {
        const code = err.code;
        throw new errors/* InputError */.dz([
            code === 'ENOENT'
                ? `Invalid input 'lifecycle-policy': ${label} does not exist (looked in ${file}). Expected the path of a lifecycle policy JSON in the workspace, e.g. .github/ecr-lifecycle.json; check out the repository first (actions/checkout).`
                : `Invalid input 'lifecycle-policy': cannot read ${label} (${(0,errors/* errorMessage */.gJ)(err)}). Expected a readable lifecycle policy JSON file.`,
        ]);
    }
    const checked = checkLifecyclePolicy(raw, label);
    if (!checked.ok)
        throw new errors/* InputError */.dz(checked.problems);
    src_core/* debug */.Yz(`lifecycle policy ${label}: ${checked.policy.rules.length} rule(s), valid`);
    return { lifecyclePolicy: { file: label, policy: checked.policy, text: checked.text } };
}
/** Called when the repository does not exist and 'create-repository' is true. */
async function createRepository(inputs, ecr, registryId, env) {
    const arn = (0,partition/* repositoryArn */.qM)(inputs.region, registryId, inputs.repository);
    const request = createRepositoryRequest(inputs, registryId, env);
    let created;
    try {
        created = await createRepositoryCall(ecr, request, () => findRepository(ecr, inputs.repository, registryId));
    }
    catch (err) {
        throw explainCreateError(err, inputs, arn);
    }
    if (created.origin === 'concurrent') {
        src_core/* info */.pq(`Repository ${inputs.repository} was created by another job meanwhile: using it as it is`);
    }
    else {
        const enc = request.encryptionConfiguration;
        src_core/* info */.pq(`Created repository ${inputs.repository} in registry ${registryId} (scan-on-push on, tags ${request.imageTagMutability}, ` +
            `encryption ${enc.encryptionType}${enc.kmsKey ? ` ${enc.kmsKey}` : ''})`);
    }
    if (created.untagged) {
        src_core/* warning */.$e(`Created repository ${inputs.repository} without the created-by tags: ecr:TagResource was denied. ` +
            `Grant ecr:TagResource on ${arn} to tag repositories with the workflow that created them.`);
    }
    return created;
}
function explainCreateError(err, inputs, arn) {
    const name = (0,errors/* errorName */.Is)(err);
    const msg = (0,errors/* errorMessage */.gJ)(err);
    if (name === 'AccessDeniedException') {
        return new errors/* ActionError */.lZ(`ecr:CreateRepository was denied: ${msg}. Grant ecr:CreateRepository (and ecr:TagResource) on ${arn}, ` +
            `or create the repository once outside the workflow and drop 'create-repository'.`);
    }
    if (name === 'KmsException') {
        return new errors/* ActionError */.lZ(`Could not create repository ${inputs.repository} with KMS encryption: ${msg}. ` +
            `Check 'kms-key' (a key ID, ARN or alias in ${inputs.region}) and that the role may use it (kms:CreateGrant, kms:DescribeKey).`);
    }
    if (name === 'InvalidParameterException' ||
        name === 'InvalidTagParameterException' ||
        name === 'TooManyTagsException') {
        return new errors/* ActionError */.lZ(`ECR refused to create repository ${inputs.repository}: ${msg}`);
    }
    if (name === 'LimitExceededException') {
        return new errors/* ActionError */.lZ(`ECR refused to create repository ${inputs.repository}: ${msg}. The registry is at its repository quota; ` +
            'delete unused repositories or ask AWS for a higher quota.');
    }
    return explainEcrError('ecr:CreateRepository', err, arn);
}
/** After the push: lifecycle policy as code, preview, governance section of the summary. */
async function runGovernance(context, plan, deps) {
    const ctx = { ...context, ...deps };
    const { inputs, pushed, origin } = ctx;
    // undefined: the role may not call DescribeRepositories (push.ts warned already).
    const repo = pushed.repository;
    const arn = repo?.repositoryArn ?? (0,partition/* repositoryArn */.qM)(inputs.region, pushed.registryId, inputs.repository);
    // Settings of an existing repository are reported, never changed.
    const differences = repo && inputs.createRepository && origin !== 'created' ? settingsDifferences(repo, inputs) : [];
    const [{ coverage }, lifecycle] = await Promise.all([
        ctx.scanning.coverage(),
        plan.lifecyclePolicy ? applyLifecyclePolicy(ctx, plan.lifecyclePolicy, arn) : undefined,
    ]);
    // Tags that move to this image and that the repository lets move: honest about what is known
    // (whether the tag pointed elsewhere before is not, after the push); see docs/governance.md.
    const movingTags = repo ? reusedTags(repo, pushed.tags, ctx.env.GITHUB_SHA) : [];
    const section = governanceSection({
        repository: inputs.repository,
        origin,
        ...repositorySettings(repo),
        enhanced: coveragePhrase(coverage),
        differences,
        policy: lifecycle?.policy ?? { kind: 'none' },
        preview: lifecycle?.preview ?? { kind: 'skipped' },
        movingTags,
    });
    return stageResult({
        outputs: { 'scan-coverage': coverage.kind },
        sections: { governance: section },
        annotations: governanceAnnotations(ctx, differences, movingTags),
        ...(lifecycle?.failure ? { failure: lifecycle.failure } : {}),
    });
}
/** The repository's settings as the summary shows them; unknown when it could not be read. */
function repositorySettings(repo) {
    if (!repo) {
        const unknown = 'unknown (ecr:DescribeRepositories denied)';
        return { scanOnPush: unknown, mutability: unknown, encryption: unknown };
    }
    return {
        scanOnPush: repo.imageScanningConfiguration?.scanOnPush === true ? 'on' : 'off',
        mutability: describeMutability(repo),
        encryption: describeEncryption(repo),
    };
}
/** A notice when the repository differs from the inputs; a warning for tags that move. */
function governanceAnnotations(ctx, differences, movingTags) {
    const { inputs, pushed } = ctx;
    const annotations = [];
    if (differences.length > 0) {
        annotations.push({
            level: 'notice',
            message: `Repository ${inputs.repository} exists with other settings than the inputs ask for: ${differences.join('; ')}. ` +
                'This action does not change an existing repository: change it in the console or with the AWS CLI if wanted.',
        });
    }
    const repo = pushed.repository;
    if (repo && movingTags.length > 0) {
        const one = movingTags.length === 1;
        const list = movingTags.map((t) => `'${t}'`).join(', ');
        annotations.push({
            level: 'warning',
            message: `Tag${one ? '' : 's'} ${list} in ${inputs.repository} ${one ? 'is' : 'are'} mutable (${describeMutability(repo)}) and not unique ` +
                `to this build: any push moves ${one ? 'it' : 'them'} to another image, so ${one ? 'it' : 'they'} may name something else by the time ` +
                `you deploy. Deploy the digest-pinned image-ref output (${pushed.imageRef}) instead.`,
        });
    }
    return annotations;
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
        current = await getLifecyclePolicy(ctx.ecr, inputs.repository, pushed.registryId);
    }
    catch (err) {
        const e = explainEcrError('ecr:GetLifecyclePolicy', err, repositoryArn);
        return failed('the current policy could not be read', e.message);
    }
    let state;
    if (samePolicy(current, text)) {
        src_core/* info */.pq(`Lifecycle policy of ${inputs.repository} unchanged (${file})`);
        state = { kind: 'unchanged', file };
    }
    else {
        try {
            await putLifecyclePolicy(ctx.ecr, inputs.repository, pushed.registryId, text);
        }
        catch (err) {
            const name = (0,errors/* errorName */.Is)(err);
            if (name === 'InvalidParameterException' || name === 'ValidationException') {
                return failed(`ECR rejected it: ${(0,errors/* errorMessage */.gJ)(err)}`, `ECR rejected the lifecycle policy in ${file}: ${(0,errors/* errorMessage */.gJ)(err)}. Fix the file and re-run.`);
            }
            const e = explainEcrError('ecr:PutLifecyclePolicy', err, repositoryArn);
            return failed('it could not be written', e.message);
        }
        src_core/* info */.pq(`Applied lifecycle policy ${file} to ${inputs.repository}${current === undefined ? '' : ' (replaced a different policy)'}`);
        state = { kind: 'applied', file, replaced: current !== undefined };
    }
    let preview;
    try {
        const outcome = await runLifecyclePreview(ctx.ecr, inputs.repository, pushed.registryId, text, {
            sleep: ctx.sleep,
            clock: ctx.clock,
            timeoutMs: PREVIEW_TIMEOUT_MS,
            pollMs: PREVIEW_POLL_MS,
        });
        if (outcome.status === 'COMPLETE') {
            preview = { kind: 'done', summary: summarizePreview(policy, outcome.results) };
            src_core/* info */.pq(`Lifecycle preview: ${preview.summary.total} image(s) would expire`);
        }
        else {
            preview = { kind: 'unavailable', reason: outcome.detail };
            src_core/* warning */.$e(`Lifecycle preview of ${inputs.repository} unavailable: ${outcome.detail}.`);
        }
    }
    catch (err) {
        const name = (0,errors/* errorName */.Is)(err);
        const reason = name === 'AccessDeniedException'
            ? 'ecr:StartLifecyclePolicyPreview / ecr:GetLifecyclePolicyPreview denied'
            : `${name ? `${name}: ` : ''}${(0,errors/* errorMessage */.gJ)(err)}`;
        preview = { kind: 'unavailable', reason };
        src_core/* warning */.$e(`Lifecycle preview of ${inputs.repository} unavailable: ${reason}. The policy itself is ${state.kind}.`);
    }
    return { policy: state, preview };
}

// EXTERNAL MODULE: ./node_modules/@actions/exec/lib/exec.js + 3 modules
var exec = __webpack_require__(1260);
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
                throw new errors/* ActionError */.lZ('docker is not installed or not on the PATH: this step pushes with the docker CLI.');
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
            throw new errors/* ActionError */.lZ(`The Docker engine is not reachable: ${firstLine(r.stderr)}`);
        }
        throw new errors/* ActionError */.lZ(`docker image inspect ${image} failed: ${firstLine(r.stderr)}`);
    }
    async login(host, creds) {
        const r = await this.exec(['login', '--username', creds.username, '--password-stdin', host], {
            input: creds.password,
        });
        if (r.code !== 0) {
            throw new errors/* ActionError */.lZ(`docker login to ${host} failed: ${firstLine(r.stderr) || firstLine(r.stdout)}`);
        }
    }
    async logout(host) {
        return this.exec(['logout', host]);
    }
    async tag(source, target) {
        const r = await this.exec(['tag', source, target], { silent: true });
        if (r.code !== 0)
            throw new errors/* ActionError */.lZ(`docker tag ${source} ${target} failed: ${firstLine(r.stderr)}`);
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
        throw new errors/* ActionError */.lZ("'role-to-assume' is set but this job cannot request a GitHub OIDC token: " +
            'add `permissions: id-token: write` to the workflow or job (ACTIONS_ID_TOKEN_REQUEST_URL and ' +
            'ACTIONS_ID_TOKEN_REQUEST_TOKEN are missing). Pull requests from forks never get one.');
    }
}
/** A fresh OIDC token; @actions/core masks it before returning. */
async function getIdToken(audience) {
    return src_core/* getIDToken */.V9(audience);
}

;// CONCATENATED MODULE: ./src/state.ts

const KEYS = {
    logoutRegistry: 'logout-registry',
    dockerConfig: 'docker-config',
    privateConfig: 'private-config',
};
function saveState(state) {
    for (const [field, key] of Object.entries(KEYS)) {
        const value = state[field];
        if (value !== undefined)
            src_core/* saveState */.LZ(key, value);
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

;// CONCATENATED MODULE: ./src/credentials.ts
/**
 * Role-session credentials that outlive the scan wait. The push needs a session for seconds; the
 * gate may wait scan-timeout-seconds (up to six hours) after it, longer than role-duration-seconds.
 * `renewingCredentials` is an AWS SDK credential provider: it hands out the current session until it
 * is about to expire, then assumes the role again with a fresh GitHub OIDC token (assumeRoleWithOidc
 * fetches one per attempt), so no call of the wait ever signs with an expired session. When renewal
 * fails it keeps the old session while it lasts, tries again now and then, and once the session is
 * about to expire fails with a CredentialRefreshError that names role-duration-seconds.
 *
 * The SDK memoises a provider and asks it again from 5 minutes before `expiration`; this provider
 * decides itself when to renew (RENEW_BEFORE_MS, or a quarter of a short session), so it works the
 * same whatever the SDK's window is.
 */

/** Renew this long before the session expires (or a quarter of the session, if that is shorter). */
const RENEW_BEFORE_MS = 5 * 60_000;
/** After a failed renewal, wait this long before the next try (the old session still works). */
const RETRY_RENEW_MS = 30_000;
/** Below this much left, an unrenewable session is not handed out: the call would fail anyway. */
const LAST_MS = 5_000;
class CredentialRefreshError extends errors/* ActionError */.lZ {
    name = 'CredentialRefreshError';
}
/** The SDK credential provider of a role session that renews itself before it expires. */
function renewingCredentials(opts) {
    const clock = opts.clock ?? Date.now;
    // A quarter of the session's life as it was handed over, at most RENEW_BEFORE_MS.
    const marginOf = (c) => Math.min(RENEW_BEFORE_MS, Math.max(0, (c.expiration?.getTime() ?? Infinity) - clock()) / 4);
    let current = opts.initial;
    let margin = marginOf(current);
    let renewing;
    let failedAt;
    const renew = async () => {
        const before = current.expiration;
        try {
            current = await opts.renew();
            margin = marginOf(current);
            failedAt = undefined;
            opts.log?.(`Renewed the role session before it expired (${before?.toISOString() ?? 'unknown'}); the new one lasts until ${current.expiration?.toISOString() ?? 'unknown'}`);
        }
        catch (err) {
            failedAt = clock();
            const left = (current.expiration?.getTime() ?? 0) - clock();
            if (left <= LAST_MS)
                throw refreshError(opts, current, err);
            opts.warn?.(`Could not renew the role session (${(0,errors/* errorMessage */.gJ)(err)}); the current one lasts ${Math.round(left / 1000)} s more, trying again in ${RETRY_RENEW_MS / 1000} s.`);
        }
    };
    return async () => {
        const exp = current.expiration?.getTime();
        const now = clock();
        if (exp === undefined || exp - now > margin)
            return current;
        const due = failedAt === undefined || now - failedAt >= RETRY_RENEW_MS || exp - now <= LAST_MS;
        if (due) {
            renewing ??= renew()
                .then(() => current)
                .finally(() => {
                renewing = undefined;
            });
            await renewing;
        }
        if ((current.expiration?.getTime() ?? Infinity) - clock() <= 0)
            throw refreshError(opts, current, undefined);
        return current;
    };
}
function refreshError(opts, current, cause) {
    const until = current.expiration?.toISOString() ?? 'unknown';
    const need = opts.waitSeconds !== undefined ? opts.waitSeconds + 300 : undefined;
    return new CredentialRefreshError(`The role session expires at ${until} (role-duration-seconds: ${opts.durationSeconds}), before the scan wait ends, and assuming the role again failed` +
        `${cause === undefined ? '' : `: ${(0,errors/* errorMessage */.gJ)(cause)}`}. Raise role-duration-seconds` +
        `${need !== undefined ? ` to at least ${Math.min(43200, need)} (scan-timeout-seconds: ${opts.waitSeconds} plus the push)` : ''}` +
        `, and the role's maximum session duration with it, or lower scan-timeout-seconds.`);
}

// EXTERNAL MODULE: ./src/retry.ts
var retry = __webpack_require__(9809);
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
    const name = (0,errors/* errorName */.Is)(err);
    if (TRANSIENT_NAMES.has(name))
        return 'transient';
    const code = err?.code;
    if (typeof code === 'string' && TRANSIENT_NAMES.has(code))
        return 'transient';
    const status = (0,errors/* httpStatus */.nG)(err);
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
    const sleep = opts.sleep ?? retry/* realSleep */.u;
    const clock = opts.clock ?? Date.now;
    const maxAttempts = opts.maxAttempts ?? 6;
    const budgetMs = opts.budgetMs ?? 60_000;
    const started = clock();
    const client = opts.client ?? (await newStsClient(opts.region));
    const { AssumeRoleWithWebIdentityCommand } = await stsSdk();
    /** Waits before the next attempt, or says the budget is spent. */
    const backoffOrGiveUp = async (attempt, err) => {
        const delay = (0,retry/* backoffDelay */.E)(attempt - 1, { baseMs: 1000, capMs: 10_000, ...pick(opts.random) });
        if (attempt >= maxAttempts || clock() - started + delay > budgetMs)
            return false;
        opts.log?.(`AssumeRoleWithWebIdentity attempt ${attempt} failed (${(0,errors/* errorName */.Is)(err) || 'error'}: ${(0,errors/* errorMessage */.gJ)(err)}); ` +
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
            const e = new Error(`could not get the GitHub OIDC token: ${(0,errors/* errorMessage */.gJ)(err)}`);
            e.name = 'OidcTokenError';
            if (!(await backoffOrGiveUp(attempt, e))) {
                throw new errors/* ActionError */.lZ(`Could not get the GitHub OIDC token after ${attempt} attempts: ${(0,errors/* errorMessage */.gJ)(err)}`);
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
            return identityFromAnswer(out, opts);
        }
        catch (err) {
            if (classifyStsError(err) === 'permanent')
                throw explainStsError(err, opts, lastClaims);
            if (!(await backoffOrGiveUp(attempt, err))) {
                throw new errors/* ActionError */.lZ(`Could not assume role ${opts.roleArn}: STS kept failing after ${attempt} attempts ` +
                    `(${(0,errors/* errorName */.Is)(err) || 'error'}: ${(0,errors/* errorMessage */.gJ)(err)}). This is usually temporary: re-run the job.`);
            }
        }
    }
}
/** The identity in an AssumeRoleWithWebIdentity answer; every secret part masked first. */
function identityFromAnswer(out, opts) {
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
function pick(random) {
    return random ? { random } : {};
}
function explainStsError(err, opts, claims) {
    const name = (0,errors/* errorName */.Is)(err);
    const sub = typeof claims.sub === 'string' ? claims.sub : '(unknown)';
    const aud = typeof claims.aud === 'string'
        ? claims.aud
        : Array.isArray(claims.aud)
            ? claims.aud.join(',')
            : '(unknown)';
    const iss = typeof claims.iss === 'string' ? claims.iss : 'https://token.actions.githubusercontent.com';
    const provider = iss.replace(/^https:\/\//, '');
    const account = accountFromArn(opts.roleArn) ?? '<account>';
    const providerArn = (0,partition/* arn */.Cm)({
        partition: (0,partition/* partitionOfArn */.Fh)(opts.roleArn) ?? (0,partition/* partitionOf */.iQ)(opts.region).id,
        service: 'iam',
        region: '',
        account,
        resource: `oidc-provider/${provider}`,
    });
    if (name === 'AccessDenied' || name === 'AccessDeniedException') {
        return new errors/* ActionError */.lZ(`Could not assume role ${opts.roleArn}: AccessDenied (${(0,errors/* errorMessage */.gJ)(err)}). The role's trust policy ` +
            `rejected this workflow's token: sub "${sub}", aud "${aud}". Check that the role exists and that its trust ` +
            `policy allows sts:AssumeRoleWithWebIdentity for the federated principal ` +
            `${providerArn} with conditions "${provider}:aud" = "${aud}" and ` +
            `"${provider}:sub" matching "${sub}" (sub is case-sensitive; use StringLike for wildcards).`);
    }
    if (name === 'ValidationError' && /DurationSeconds|MaxSessionDuration/i.test((0,errors/* errorMessage */.gJ)(err))) {
        return new errors/* ActionError */.lZ(`Could not assume role ${opts.roleArn}: ${(0,errors/* errorMessage */.gJ)(err)} Lower 'role-duration-seconds' ` +
            `(now ${opts.durationSeconds}) or raise the role's maximum session duration.`);
    }
    return new errors/* ActionError */.lZ(`Could not assume role ${opts.roleArn}: ${name || 'error'}: ${(0,errors/* errorMessage */.gJ)(err)}`);
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
        const name = (0,errors/* errorName */.Is)(err);
        if (name === 'CredentialsProviderError' || /Could not load credentials/i.test((0,errors/* errorMessage */.gJ)(err))) {
            throw new errors/* ActionError */.lZ("No AWS credentials: set 'role-to-assume' (with `permissions: id-token: write`) or provide " +
                'credentials in the environment (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a profile, or an instance role).');
        }
        throw new errors/* ActionError */.lZ(`Could not identify the AWS credentials in the environment: ${name}: ${(0,errors/* errorMessage */.gJ)(err)}`);
    }
}
/** Fails unless the identity's account is allowed. */
function checkAllowedAccount(identity, allowed) {
    if (allowed.length === 0)
        return;
    if (!allowed.includes(identity.account)) {
        throw new errors/* ActionError */.lZ(`The credentials belong to account ${identity.account || '(unknown)'} (${identity.arn}), which is not in ` +
            `'allowed-account-ids' (${allowed.join(', ')}). Check 'role-to-assume' or the list.`);
    }
}

;// CONCATENATED MODULE: ./src/push.ts
/**
 * The push, in the order main calls it: the local image (before any network call), who we act as
 * (OIDC → STS, or the environment's credentials), then ECR login → docker push of every tag →
 * digest cross-checked with ECR. Each step gets what it needs as parameters; the result is data.
 */













/** The docker CLI as the user's environment configures it. */
function localDocker(env) {
    const out = {};
    for (const [k, v] of Object.entries(env))
        if (v !== undefined)
            out[k] = v;
    return new Docker(out);
}
/**
 * The local image's ID. A missing image is found before any network call: nothing happens at all.
 * Loading the AWS SDK overlaps with this check (a child process).
 */
async function localImageId(inputs, docker) {
    preloadSdks();
    const imageId = await docker.imageId(inputs.image);
    if (imageId === undefined) {
        throw new errors/* ActionError */.lZ(`Local image '${inputs.image}' not found. Build or pull it in an earlier step (docker build -t ${inputs.image} .), ` +
            `on the same runner, before this one.`);
    }
    src_core/* debug */.Yz(`local image ${inputs.image} = ${imageId}`);
    return imageId;
}
/** Who the action acts as: the role assumed with the OIDC token, or the environment's credentials. */
async function signIn(inputs, env) {
    const identity = await resolveIdentity(inputs, env);
    checkAllowedAccount(identity, inputs.allowedAccountIds);
    src_core/* info */.pq(`Acting as ${identity.arn} (account ${identity.account})`);
    return identity;
}
/** ECR login → docker push of every tag → digest cross-checked with ECR. */
async function pushImage(inputs, deps) {
    const { ecr, registryId } = deps;
    const repositoryArn = (0,partition/* repositoryArn */.qM)(inputs.region, registryId, inputs.repository);
    const [auth, existing] = await Promise.all([
        getAuthorization(ecr, src_core/* setSecret */.Pq).catch((err) => {
            throw explainEcrError('ecr:GetAuthorizationToken', err, '*');
        }),
        describeRepository(inputs, ecr, registryId, repositoryArn),
    ]);
    const registry = registryHost(auth.proxyEndpoint, registryId);
    const repository = existing === undefined ? await missingRepository(inputs, deps) : (existing ?? undefined);
    const docker = await loginDocker(inputs, deps, registry);
    const digest = await tagAndPush(inputs, docker, registry, auth);
    // ECR is the source of truth for what a tag now points at.
    const ecrDigests = await digestsForTags(ecr, inputs.repository, inputs.tags, registryId).catch((err) => {
        throw explainEcrError('ecr:DescribeImages', err, repositoryArn);
    });
    const refs = imageRefs(registry, inputs.repository, inputs.tags, digest);
    for (const [tag, d] of ecrDigests) {
        if (d !== digest) {
            throw new errors/* ActionError */.lZ(`ECR reports ${d ?? 'no image'} for ${refs.repositoryUri}:${tag}, but docker pushed ${digest}. ` +
                `Another job may have pushed the same tag at the same time: do not deploy this tag; re-run.`);
        }
    }
    return {
        ...refs,
        registryId,
        repository,
        digest,
        tags: inputs.tags,
        tokenExpiresAt: auth.expiresAt,
        imageId: deps.imageId,
    };
}
/**
 * The repository, undefined when missing, null when the role may not look. Checking first gives a
 * clear error before the push, but the push itself does not need the permission: without it,
 * warn and let the registry have the last word.
 */
async function describeRepository(inputs, ecr, registryId, repositoryArn) {
    return findRepository(ecr, inputs.repository, registryId).catch((err) => {
        if ((0,errors/* errorName */.Is)(err) === 'AccessDeniedException') {
            src_core/* warning */.$e(`Could not check that repository '${inputs.repository}' exists: ecr:DescribeRepositories is not allowed ` +
                `on ${repositoryArn}. Pushing anyway; grant it for clearer errors and the repository's settings.`);
            return null;
        }
        throw explainEcrError('ecr:DescribeRepositories', err, repositoryArn);
    });
}
async function missingRepository(inputs, deps) {
    if (!deps.onMissingRepository) {
        throw new errors/* ActionError */.lZ(`Repository '${inputs.repository}' does not exist in registry ${deps.registryId} (${inputs.region}). ` +
            `Set 'create-repository: true', or create it: aws ecr create-repository --repository-name ${inputs.repository} ` +
            `--image-scanning-configuration scanOnPush=true --region ${inputs.region}`);
    }
    return deps.onMissingRepository();
}
/** The docker CLI to log in with: a private config that dies with the step, or the user's (keep-login). */
async function loginDocker(inputs, deps, registry) {
    const { env } = deps;
    if (inputs.keepLogin) {
        saveState({ logoutRegistry: registry, dockerConfig: userDockerConfigDir(env) });
        return deps.docker;
    }
    const dir = await createPrivateConfig(env.RUNNER_TEMP || (await Promise.resolve(/* import() */).then(__webpack_require__.t.bind(__webpack_require__, 8161, 23))).tmpdir());
    saveState({ privateConfig: dir });
    deps.defer(() => removeDir(dir));
    return new Docker(await privateDockerEnv(env, dir));
}
/**
 * Logs in and tags side by side (tags are local), then pushes every tag; returns the one digest
 * they all got. On failure the local tags made here are removed.
 */
async function tagAndPush(inputs, docker, registry, auth) {
    const targets = inputs.tags.map((tag) => `${registry}/${inputs.repository}:${tag}`);
    const created = [];
    let digest;
    try {
        const tagging = (async () => {
            for (const target of targets) {
                await docker.tag(inputs.image, target);
                created.push(target);
            }
        })();
        const [login] = await Promise.allSettled([docker.login(registry, auth), tagging]);
        if (login.status === 'rejected')
            throw login.reason;
        await tagging;
        src_core/* info */.pq(`Logged in to ${registry} (token valid until ${auth.expiresAt.toISOString()})`);
        for (const target of targets) {
            const r = await docker.push(target);
            if (r.code !== 0)
                throw new errors/* ActionError */.lZ(explainPushFailure(target, inputs.repository, r.stderr + r.stdout));
            const d = parsePushDigest(r.stdout);
            if (!d)
                throw new errors/* ActionError */.lZ(`docker push ${target} succeeded but printed no digest`);
            if (digest !== undefined && d !== digest) {
                throw new errors/* ActionError */.lZ(`docker pushed two digests for one image: ${digest} and ${d} (${target})`);
            }
            digest = d;
        }
    }
    catch (err) {
        await Promise.all(created.map((ref) => docker.untag(ref)));
        throw err;
    }
    if (digest === undefined)
        throw new errors/* ActionError */.lZ('nothing was pushed');
    return digest;
}
/** The push's outputs and its summary section. */
function pushStageResult(p, identity) {
    return stageResult({
        outputs: {
            registry: p.registry,
            'repository-uri': p.repositoryUri,
            'image-uri': p.imageUri,
            'image-digest': p.digest,
            'image-ref': p.imageRef,
            tags: p.tags.join(','),
            'aws-account-id': identity.account,
            'token-expires-at': p.tokenExpiresAt.toISOString(),
        },
        sections: {
            push: [
                '### Pushed',
                '',
                '| | |',
                '|---|---|',
                `| Image (deploy this) | \`${(0,report/* cell */.Hn)(p.imageRef)}\` |`,
                `| Tags | ${p.tags.map((t) => `\`${(0,report/* cell */.Hn)(t)}\``).join(', ')} |`,
                `| Registry | \`${(0,report/* cell */.Hn)(p.registry)}\` (account ${p.registryId}) |`,
                `| Pushed as | \`${(0,report/* cell */.Hn)(identity.arn)}\` |`,
            ].join('\n'),
        },
    });
}
async function resolveIdentity(inputs, env) {
    if (inputs.roleToAssume === undefined) {
        src_core/* info */.pq('No role-to-assume: using the credentials in the environment (default AWS credential chain)');
        return callerIdentity(inputs.region);
    }
    requireOidc(env);
    return assumeRoleWithOidc(assumeOptions(inputs, inputs.roleToAssume));
}
function assumeOptions(inputs, roleArn) {
    return {
        roleArn,
        sessionName: inputs.roleSessionName,
        durationSeconds: inputs.roleDurationSeconds,
        region: inputs.region,
        audience: inputs.audience,
        getToken: getIdToken,
        mask: src_core/* setSecret */.Pq,
        log: src_core/* info */.pq,
    };
}
/** The role session as a provider that assumes the role again before it expires (the scan wait). */
function sessionCredentials(inputs, identity) {
    const initial = identity.credentials;
    const roleArn = inputs.roleToAssume;
    if (initial === undefined || roleArn === undefined)
        return initial;
    return renewingCredentials({
        initial,
        renew: async () => {
            const again = await assumeRoleWithOidc(assumeOptions(inputs, roleArn));
            if (!again.credentials)
                throw new Error('STS answered without credentials');
            return again.credentials;
        },
        durationSeconds: inputs.roleDurationSeconds,
        ...(inputs.waitForScan ? { waitSeconds: inputs.scanTimeoutSeconds } : {}),
        log: src_core/* info */.pq,
        warn: (line) => src_core/* warning */.$e(line),
    });
}

;// CONCATENATED MODULE: ./src/pipeline.ts
/**
 * The run after the input check: local checks of every stage, the push, then governance, the audit
 * and the scan gate side by side. Loaded by main.ts only once the inputs are valid, so that a run
 * that fails its input check never loads (or pays the start-up of) any of this.
 */










/**
 * Everything after the input check. `defer` registers cleanups; `loginDone` runs those registered
 * so far (the registry login is not needed past the push). Returns the stages' failures.
 */
async function runPipeline(inputs, env, report, cleanups) {
    // Everything that can be checked locally is, before any network call.
    const pre = { inputs, env };
    const [governance, gate, audit] = await Promise.all([
        prepareGovernance(pre),
        prepareGate(pre),
        prepareAudit(pre),
    ]);
    const docker = localDocker(env);
    const push = await pushStage(inputs, env, docker, cleanups.defer);
    // The registry login is not needed past the push: a private docker config goes right away.
    await cleanups.loginDone();
    publish(pushStageResult(push.pushed, push.identity), report);
    src_core/* info */.pq(`Pushed ${push.pushed.imageRef}`);
    const ctx = { inputs, env, clock: Date.now, sleep: retry/* realSleep */.u };
    return afterPush(ctx, { governance, gate, audit }, { ...push, docker }, report);
}
/** The local image, who we act as, the ECR client, the push (creating the repository if asked). */
async function pushStage(inputs, env, docker, defer) {
    const imageId = await localImageId(inputs, docker);
    const identity = await signIn(inputs, env);
    const ecr = await createEcrClient(inputs.region, sessionCredentials(inputs, identity));
    const registryId = inputs.registryId ?? identity.account;
    let origin = 'existing';
    const onMissingRepository = async () => {
        const created = await createRepository(inputs, ecr, registryId, env);
        origin = created.origin;
        return created.repository;
    };
    const pushed = await pushImage(inputs, {
        env,
        defer,
        ecr,
        registryId,
        docker,
        imageId,
        ...(inputs.createRepository ? { onMissingRepository } : {}),
    });
    return { identity, ecr, pushed, origin };
}
/**
 * After the push, side by side: governance, the audit (reads the image locally) and the scan wait
 * (idle polling). Publishes each result; returns the failures. A stage that throws fails the step
 * but never hides another's verdict.
 */
async function afterPush(ctx, plans, push, report) {
    // Read at most once, for the gate and governance alike.
    const scanning = scanningConfiguration({
        ecr: push.ecr,
        registryId: push.pushed.registryId,
        account: push.identity.account,
        region: ctx.inputs.region,
        repository: ctx.inputs.repository,
        repositoryScanOnPush: push.pushed.repository?.imageScanningConfiguration?.scanOnPush,
    });
    const results = await Promise.all([
        settle('Repository governance', runGovernance(ctx, plans.governance, { ...push, scanning })),
        settle('The image audit', runAudit(ctx, plans.audit, push)),
        // Fail closed: a gate that crashed has not passed anything.
        settle('The scan gate', runGate(ctx, plans.gate, { ...push, scanning }), ctx.inputs.waitForScan ? { outputs: { gate: 'failed' } } : {}),
    ]);
    const failures = [];
    for (const r of results) {
        publish(r, report);
        if (r.failure !== undefined)
            failures.push(r.failure);
    }
    return failures;
}
/** The stage's result; a stage that throws becomes a failure (with `crashed`'s outputs). */
async function settle(title, stage, crashed = {}) {
    try {
        return await stage;
    }
    catch (err) {
        return stageResult({ ...crashed, failure: `${title} failed: ${(0,errors/* errorMessage */.gJ)(err)}` });
    }
}


/***/ })

};
