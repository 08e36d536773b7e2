import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 828:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   $e: () => (/* binding */ warning),
/* harmony export */   C1: () => (/* binding */ setFailed),
/* harmony export */   LZ: () => (/* binding */ saveState),
/* harmony export */   Os: () => (/* binding */ group),
/* harmony export */   Pq: () => (/* binding */ setSecret),
/* harmony export */   V9: () => (/* binding */ getIDToken),
/* harmony export */   Yz: () => (/* binding */ debug),
/* harmony export */   _o: () => (/* binding */ isDebug),
/* harmony export */   fe: () => (/* binding */ appendSummary),
/* harmony export */   lm: () => (/* binding */ notice),
/* harmony export */   pq: () => (/* binding */ info),
/* harmony export */   uH: () => (/* binding */ setOutput),
/* harmony export */   z3: () => (/* binding */ error)
/* harmony export */ });
/* unused harmony exports escapeData, escapeProperty, issueCommand, getState */
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(7598);
/* harmony import */ var node_crypto__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__nccwpck_require__.n(node_crypto__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1__ = __nccwpck_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__nccwpck_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2__ = __nccwpck_require__(8161);
/* harmony import */ var node_os__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__nccwpck_require__.n(node_os__WEBPACK_IMPORTED_MODULE_2__);
/**
 * The runner's side of an action, written to GitHub's documented protocol: workflow commands on
 * stdout (`::name key=value::message`), environment files for outputs and state (GITHUB_OUTPUT,
 * GITHUB_STATE, appended as `name<<delimiter` blocks), the job summary file (GITHUB_STEP_SUMMARY)
 * and the OIDC token endpoint (ACTIONS_ID_TOKEN_REQUEST_URL / _TOKEN).
 *
 * Why not @actions/core: its public entry point loads its OIDC client, @actions/http-client and
 * undici (0.93 MB of bundle) on every start, though only the token request needs HTTP. Measured
 * (cold start of dist/index.js, which exits at the input check; medians of 31): the public entry
 * point 98 ms, 2.7x bare node (over the 1.8x budget); loading it lazily cannot help, since the
 * first thing a failing run does is write an error annotation; this module 53 ms, 1.4x. It is
 * the small part of the protocol a run needs, and the bundle is 1 MB smaller.
 */



/** A command's message: `%`, CR and LF escaped, as the runner unescapes them. */
function escapeData(value) {
    return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}
/** A command property's value: also `:` and `,`, which separate properties. */
function escapeProperty(value) {
    return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
/** Any value as the text a command carries: strings as they are, anything else as JSON. */
function commandValue(value) {
    if (value === null || value === undefined)
        return '';
    return typeof value === 'string' ? value : JSON.stringify(value);
}
/** Writes `::name key=value,…::message` on a line of its own. */
function issueCommand(name, properties, message) {
    const props = Object.entries(properties)
        .map(([k, v]) => `${k}=${escapeProperty(String(v))}`)
        .join(',');
    process.stdout.write(`::${name}${props ? ` ${props}` : ''}::${escapeData(message)}${node_os__WEBPACK_IMPORTED_MODULE_2__.EOL}`);
}
/** Appends `name<<delimiter` … `delimiter` to an environment file; the delimiter is random. */
function appendKeyValue(file, name, value) {
    const text = commandValue(value);
    const delimiter = `ghadelimiter_${(0,node_crypto__WEBPACK_IMPORTED_MODULE_0__.randomUUID)()}`;
    if (name.includes(delimiter) || text.includes(delimiter)) {
        throw new Error(`Unexpected input: the name or value of '${name}' contains the delimiter ${delimiter}`);
    }
    (0,node_fs__WEBPACK_IMPORTED_MODULE_1__.appendFileSync)(file, `${name}<<${delimiter}${node_os__WEBPACK_IMPORTED_MODULE_2__.EOL}${text}${node_os__WEBPACK_IMPORTED_MODULE_2__.EOL}${delimiter}${node_os__WEBPACK_IMPORTED_MODULE_2__.EOL}`, 'utf8');
}
function setSecret(secret) {
    if (secret !== '')
        issueCommand('add-mask', {}, secret);
}
function setOutput(name, value) {
    const file = process.env.GITHUB_OUTPUT;
    if (file)
        return appendKeyValue(file, name, value);
    process.stdout.write(node_os__WEBPACK_IMPORTED_MODULE_2__.EOL);
    issueCommand('set-output', { name }, commandValue(value));
}
function saveState(name, value) {
    const file = process.env.GITHUB_STATE;
    if (file)
        return appendKeyValue(file, name, value);
    issueCommand('save-state', { name }, commandValue(value));
}
/** What the main step saved, read in the post step. */
function getState(name) {
    return process.env[`STATE_${name}`] ?? '';
}
function isDebug() {
    return process.env.RUNNER_DEBUG === '1';
}
function debug(message) {
    issueCommand('debug', {}, message);
}
function info(message) {
    process.stdout.write(message + node_os__WEBPACK_IMPORTED_MODULE_2__.EOL);
}
function annotate(level, message, p) {
    const props = {};
    if (p.title !== undefined)
        props.title = p.title;
    if (p.file !== undefined)
        props.file = p.file;
    if (p.startLine !== undefined)
        props.line = p.startLine;
    if (p.endLine !== undefined)
        props.endLine = p.endLine;
    if (p.startColumn !== undefined)
        props.col = p.startColumn;
    if (p.endColumn !== undefined)
        props.endColumn = p.endColumn;
    issueCommand(level, props, message instanceof Error ? message.toString() : message);
}
function error(message, properties = {}) {
    annotate('error', message, properties);
}
function warning(message, properties = {}) {
    annotate('warning', message, properties);
}
function notice(message, properties = {}) {
    annotate('notice', message, properties);
}
function setFailed(message) {
    process.exitCode = 1;
    error(message);
}
async function group(name, fn) {
    issueCommand('group', {}, name);
    try {
        return await fn();
    }
    finally {
        issueCommand('endgroup', {}, '');
    }
}
/** Appends markdown to the job summary. */
async function appendSummary(markdown) {
    const file = process.env.GITHUB_STEP_SUMMARY;
    if (!file)
        throw new Error('GITHUB_STEP_SUMMARY is not set: this runner does not support job summaries');
    const { appendFile } = await Promise.resolve(/* import() */).then(__nccwpck_require__.t.bind(__nccwpck_require__, 1455, 23));
    await appendFile(file, markdown, 'utf8');
}
/**
 * A GitHub OIDC token for `audience`, masked before it is returned. One request: the caller
 * retries (with a fresh token each time). Honours HTTPS_PROXY / NO_PROXY like the runner's own
 * tools (Node's agents read them with `proxyEnv`).
 */
async function getIDToken(audience) {
    const url = process.env.ACTIONS_ID_TOKEN_REQUEST_URL;
    const token = process.env.ACTIONS_ID_TOKEN_REQUEST_TOKEN;
    if (!url || !token)
        throw new Error('ACTIONS_ID_TOKEN_REQUEST_URL or ACTIONS_ID_TOKEN_REQUEST_TOKEN is not set');
    const target = new URL(audience ? `${url}&audience=${encodeURIComponent(audience)}` : url);
    const { status, body } = await getJson(target, { authorization: `Bearer ${token}` });
    if (status !== 200) {
        throw new Error(`the token endpoint answered HTTP ${status}${body ? `: ${body.slice(0, 200)}` : ''}`);
    }
    let value;
    try {
        value = JSON.parse(body).value;
    }
    catch {
        value = undefined;
    }
    if (typeof value !== 'string' || value === '')
        throw new Error('the token endpoint answered without a token');
    setSecret(value);
    return value;
}
async function getJson(url, headers) {
    const http = url.protocol === 'http:' ? await Promise.resolve(/* import() */).then(__nccwpck_require__.t.bind(__nccwpck_require__, 7067, 23)) : await Promise.resolve(/* import() */).then(__nccwpck_require__.t.bind(__nccwpck_require__, 4708, 23));
    const agent = new http.Agent({ proxyEnv: process.env, keepAlive: false });
    return new Promise((resolve, reject) => {
        const req = http.request(url, {
            method: 'GET',
            agent,
            headers: { accept: 'application/json', 'user-agent': 'ecr-supply-chain', ...headers },
            timeout: 30_000,
        }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
            res.on('error', reject);
        });
        req.on('timeout', () => req.destroy(new Error('the token endpoint did not answer within 30 s')));
        req.on('error', reject);
        req.end();
    });
}


/***/ }),

/***/ 3916:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Is: () => (/* binding */ errorName),
/* harmony export */   dz: () => (/* binding */ InputError),
/* harmony export */   gJ: () => (/* binding */ errorMessage),
/* harmony export */   lZ: () => (/* binding */ ActionError),
/* harmony export */   nG: () => (/* binding */ httpStatus)
/* harmony export */ });
/* unused harmony export withContext */
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


/***/ }),

/***/ 7565:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   q7: () => (/* binding */ decideGate),
/* harmony export */   vS: () => (/* binding */ budgetProblem)
/* harmony export */ });
/* unused harmony export waitingWhy */
/* harmony import */ var _status_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(4345);
/**
 * The gate's decision over every image it waits for (one, or each platform of an index). Pure:
 * the wait loop hands in each image's state after every read and asks whether the gate may end.
 *
 * - **Fail fast.** A blocking finding in a complete, consistent read of a ready scan makes the verdict
 *   `failed`, for good: nothing later (an unsettled set, the budget, another platform unavailable,
 *   `on-scan-unavailable: warn`) turns it back. The gate then reads on until every image's set has
 *   stayed the same for `scan-settle-seconds` (no floor) or the budget ends, so the counts it reports
 *   are complete, and says whether they were.
 * - **Pass late.** A pass needs every image passable: its set unchanged over consistent reads for
 *   `scan-settle-seconds` and at least FILL_IN_FLOOR_MS since its scan first read as ready.
 * - An image whose scan will give nothing (the six terminal statuses, not covered) waits for the
 *   others: it never hides another image's blocking finding. Unknown statuses, faults and
 *   inconsistent answers at the end of the budget fail the gate whatever on-scan-unavailable says.
 */

const prefix = (p, text) => (p.multi ? `${p.label}: ${text}` : text);
/** May the gate end now, and how? */
function decideGate(input) {
    const { platforms, now, cfg } = input;
    const over = now >= cfg.startedAt + cfg.timeoutMs;
    if (platforms.some((p) => p.state.blocking)) {
        const open = platforms.filter((p) => p.end === undefined && !(0,_status_js__WEBPACK_IMPORTED_MODULE_0__/* .progress */ .qB)(p.state, cfg).countsSettled);
        if (open.length > 0 && !over)
            return { kind: 'wait' };
        return {
            kind: 'blocking',
            countsSettled: open.length === 0,
            unsettled: open.map((p) => prefix(p, waitingWhy(p.state, cfg, now).text)),
        };
    }
    const hard = platforms.find((p) => p.end !== undefined && !p.end.relaxable);
    if (hard?.end)
        return { kind: 'no-verdict', ...hard.end, message: prefix(hard, hard.end.message) };
    const open = platforms.filter((p) => p.end === undefined && !(0,_status_js__WEBPACK_IMPORTED_MODULE_0__/* .progress */ .qB)(p.state, cfg).passable);
    if (open.length === 0) {
        const soft = platforms.find((p) => p.end !== undefined);
        if (soft?.end)
            return { kind: 'no-verdict', ...soft.end, message: prefix(soft, soft.end.message) };
        return { kind: 'passed' };
    }
    return over ? timeout(open, input) : { kind: 'wait' };
}
function timeout(open, input) {
    const { cfg, now } = input;
    const whys = open.map((p) => ({ p, why: waitingWhy(p.state, cfg, now) }));
    const inconsistent = whys.some((w) => w.why.inconsistent);
    const seen = whys.map((w) => prefix(w.p, w.why.text)).join('; ');
    const elapsed = Math.round((now - cfg.startedAt) / 1000);
    const head = `No trustworthy findings after ${elapsed} s (scan-timeout-seconds: ${cfg.timeoutMs / 1000}): ${seen}.`;
    if (inconsistent) {
        return {
            kind: 'no-verdict',
            status: 'TIMEOUT',
            relaxable: false,
            message: `${head} The gate never passes on inconsistent answers, and on-scan-unavailable does not relax this: re-run the job; if ECR keeps answering so, raise it with AWS support.`,
        };
    }
    const warn = input.onUnavailable === 'fail'
        ? ', or set on-scan-unavailable: warn to let the step go on without a verdict'
        : '';
    return {
        kind: 'no-verdict',
        status: 'TIMEOUT',
        relaxable: true,
        message: `${head} Raise scan-timeout-seconds${warn}.`,
    };
}
const secs = (ms) => Math.round(ms / 1000);
/** Why an image whose scan never read as ready gave nothing to decide on. */
function notReadyWhy(state) {
    switch (state.last) {
        case 'SCAN_NOT_FOUND':
            return 'ECR had not started a scan of the image (ScanNotFound)';
        case 'ERROR':
            return `ECR kept failing: ${state.lastError ?? 'unknown error'}`;
        case 'IMAGE_NOT_FOUND':
            return 'ECR did not find the image (ImageNotFound)';
        case 'NOT_STARTED':
            return 'the scan was never read';
        default:
            return `the scan was still ${state.last}`;
    }
}
/** What one image's reads showed when the gate had to stop waiting for it. */
function waitingWhy(state, cfg, now) {
    const said = (text) => ({ text, inconsistent: false });
    if (!(0,_status_js__WEBPACK_IMPORTED_MODULE_0__/* .isReady */ .i_)(state.last))
        return said(notReadyWhy(state));
    if (!state.lastPassConsistent && state.inconsistentPasses > 0) {
        const n = state.inconsistentPasses;
        return {
            text: `ECR's answers were inconsistent (${n} read${n === 1 ? '' : 's'} in a row: ${state.lastProblem ?? 'inconsistent'})`,
            inconsistent: true,
        };
    }
    if (state.lastConsistentAt === undefined)
        return said(`the scan was ${state.last} but no complete read fit in the budget`);
    const pr = (0,_status_js__WEBPACK_IMPORTED_MODULE_0__/* .progress */ .qB)(state, cfg);
    const settle = cfg.settleMs / 1000;
    if (state.sets > 1 && pr.stableMs < cfg.settleMs) {
        const ago = secs(now - (state.stableSince ?? now));
        return said(`the finding set was still changing (last change ${ago} s before the end; scan-settle-seconds: ${settle})`);
    }
    return said(`the finding set was stable for ${secs(pr.stableMs)} s, but the budget ended first: ${state.blocking ? '' : `a pass needs ${_status_js__WEBPACK_IMPORTED_MODULE_0__/* .FILL_IN_FLOOR_MS */ .Ap / 1000} s since the scan first read as ready (it had been ${secs(pr.sinceReadyMs)} s) and `}the set unchanged for scan-settle-seconds (${settle} s)`);
}
/**
 * `scan-timeout-seconds` must hold the fill-in floor and the settle window, else no pass is possible:
 * a bad input, found before any network call. Undefined when the budget is fine.
 */
function budgetProblem(timeoutSeconds, settleSeconds) {
    const least = _status_js__WEBPACK_IMPORTED_MODULE_0__/* .FILL_IN_FLOOR_MS */ .Ap / 1000 + settleSeconds;
    if (timeoutSeconds >= least)
        return undefined;
    return (`Invalid inputs 'scan-timeout-seconds' (${timeoutSeconds}) and 'scan-settle-seconds' (${settleSeconds}): ` +
        `a pass needs the ${_status_js__WEBPACK_IMPORTED_MODULE_0__/* .FILL_IN_FLOOR_MS */ .Ap / 1000} s fill-in floor after the scan is ready plus the settle window, so the gate could never pass. ` +
        `Expected scan-timeout-seconds of at least ${least} (e.g. the default 900), or a smaller scan-settle-seconds.`);
}


/***/ }),

/***/ 4345:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Ap: () => (/* binding */ FILL_IN_FLOOR_MS),
/* harmony export */   HB: () => (/* binding */ defaultWaitConfig),
/* harmony export */   i_: () => (/* binding */ isReady),
/* harmony export */   qB: () => (/* binding */ progress),
/* harmony export */   sk: () => (/* binding */ nextStep),
/* harmony export */   ue: () => (/* binding */ initialState)
/* harmony export */ });
/* unused harmony exports SCAN_STATUSES, classifyStatus */
/* harmony import */ var _retry_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(9809);
/**
 * The wait for one image's scan as an explicit state machine. Pure: the loop in wait.ts does the
 * calls and feeds each answer in as an Observation; `nextStep` says when to look again, or that this
 * image's wait is over. Whether the gate as a whole may decide (fail fast, pass late) is decision.ts's
 * question, answered from `progress()` of every image. Time is a number (ms) passed in.
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
/**
 * The fill-in floor: a pass needs at least this long since the image's scan first read as ready.
 * Findings keep arriving for tens of seconds after ECR says COMPLETE or ACTIVE (users saw ~30 s), for
 * empty and partial sets alike; twice that. `scan-settle-seconds` cannot lower it; a failing verdict
 * does not wait for it.
 */
const FILL_IN_FLOOR_MS = 60_000;
/**
 * The one readiness predicate of the gate: the scan has answered and its findings can be read.
 * COMPLETE (basic, or enhanced scan-on-push) and ACTIVE (enhanced continuous, which never becomes
 * COMPLETE). Ready is not settled: findings keep arriving for a while (FILL_IN_FLOOR_MS).
 */
function isReady(status) {
    return status === 'COMPLETE' || status === 'ACTIVE';
}
/** What one status means for the gate. Unknown statuses fail closed. */
function classifyStatus(status, description = '') {
    const said = description ? ` (ECR: "${description}")` : '';
    if (isReady(status))
        return { kind: 'ready' };
    switch (status) {
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
                kind: 'unknown',
                message: `ECR answered ${status ? `an unknown scan status '${status}'` : 'no scan status'}${said}; the gate fails closed on statuses it does not know, whatever on-scan-unavailable says. Update the action.`,
            };
    }
}
function defaultWaitConfig(startedAt, timeoutSeconds, settleSeconds) {
    return {
        startedAt,
        timeoutMs: timeoutSeconds * 1000,
        settleMs: settleSeconds * 1000,
        scanNotFoundGraceMs: 180_000,
        imageNotFoundGraceMs: 15_000,
        startScanAfterGrace: false,
        baseDelayMs: 2000,
        capDelayMs: 15_000,
        msPerCall: 1000,
        inconsistentPauseMs: 5000,
    };
}
function initialState(cfg) {
    return {
        attempt: 0,
        last: 'NOT_STARTED',
        lastDescription: '',
        sameReads: 0,
        sets: 0,
        lastPassConsistent: false,
        inconsistentPasses: 0,
        blocking: false,
        scanStartRequested: false,
        graceFrom: cfg.startedAt,
    };
}
/** Helpers of one transition: the deadline-capped poll and the backoff. */
function pacer(state, obs, now, cfg) {
    const deadline = cfg.startedAt + cfg.timeoutMs;
    // Wait at least one second per call just made, so the average stays at one call a second.
    const spacing = Math.max(1, obs.calls) * cfg.msPerCall;
    const poll = (delayMs) => ({
        kind: 'poll',
        delayMs: Math.max(0, Math.min(delayMs, deadline - now)),
    });
    const backoff = () => {
        const random = cfg.random ? { random: cfg.random } : {};
        const delay = (0,_retry_js__WEBPACK_IMPORTED_MODULE_0__/* .backoffDelay */ .E)(state.attempt, { baseMs: cfg.baseDelayMs, capMs: cfg.capDelayMs, ...random });
        state.attempt += 1;
        return poll(Math.max(spacing, delay));
    };
    return { spacing, poll, backoff };
}
const end = (status, message, relaxable) => ({
    kind: 'end',
    end: { status, message, relaxable },
});
/** The next step after `obs` at `now`. */
function nextStep(prev, obs, now, cfg) {
    const state = { ...prev };
    const p = pacer(state, obs, now, cfg);
    switch (obs.kind) {
        case 'scan-started':
            state.scanStartRequested = true;
            state.graceFrom = now;
            state.attempt = 0;
            return { state, step: p.poll(Math.max(p.spacing, cfg.baseDelayMs)) };
        case 'error':
            state.lastError = obs.message;
            if (!obs.transient)
                return { state, step: end('ERROR', obs.message, false) };
            state.last = 'ERROR';
            return { state, step: p.backoff() };
        case 'image-not-found':
            return { state, step: imageNotFound(state, now, cfg, p.backoff) };
        case 'scan-not-found':
            return { state, step: scanNotFound(state, now, cfg, p.backoff) };
        case 'status':
            return { state, step: statusStep(state, obs, now, cfg, p) };
    }
}
function imageNotFound(state, now, cfg, backoff) {
    state.firstImageNotFoundAt ??= now;
    state.last = 'IMAGE_NOT_FOUND';
    forgetReady(state);
    if (now - state.firstImageNotFoundAt < cfg.imageNotFoundGraceMs)
        return backoff();
    const s = Math.round((now - state.firstImageNotFoundAt) / 1000);
    return end('IMAGE_NOT_FOUND', `The pushed image is no longer in the repository (ImageNotFound for ${s} s): it was deleted or expired by a lifecycle policy while the gate waited. Nothing was scanned.`, false);
}
function scanNotFound(state, now, cfg, backoff) {
    state.last = 'SCAN_NOT_FOUND';
    delete state.firstImageNotFoundAt;
    forgetReady(state);
    if (now - state.graceFrom < cfg.scanNotFoundGraceMs)
        return backoff();
    if (cfg.startScanAfterGrace && !state.scanStartRequested)
        return { kind: 'start-scan' };
    const s = Math.round((now - state.graceFrom) / 1000);
    return end('NOT_CONFIGURED', `ECR has no scan of the image ${s} s after it was pushed (ScanNotFound): the repository is not covered by scanning. Turn on scan-on-push (aws ecr put-image-scanning-configuration --repository-name <repo> --image-scanning-configuration scanOnPush=true) or add it to an enhanced scanning rule.`, true);
}
/** The scan is not ready (any more): what was seen since ready no longer holds. `blocking` stays. */
function forgetReady(state) {
    delete state.firstReadyAt;
    delete state.fingerprint;
    delete state.stableSince;
    delete state.lastConsistentAt;
    state.sameReads = 0;
    state.sets = 0;
    state.lastPassConsistent = false;
}
function statusStep(state, obs, now, cfg, p) {
    delete state.firstImageNotFoundAt;
    const changed = state.last !== obs.status;
    state.last = obs.status;
    state.lastDescription = obs.description ?? '';
    const cls = classifyStatus(obs.status, obs.description);
    if (cls.kind === 'terminal')
        return end(obs.status, cls.message, true);
    if (cls.kind === 'unknown')
        return end(obs.status || 'UNKNOWN', cls.message, false);
    if (cls.kind === 'waiting') {
        forgetReady(state);
        if (changed)
            state.attempt = 0;
        return p.backoff();
    }
    state.firstReadyAt ??= now;
    if (obs.cut || obs.pass === undefined)
        return p.poll(p.spacing);
    if (!obs.pass.consistent) {
        state.lastPassConsistent = false;
        state.inconsistentPasses += 1;
        state.lastProblem = obs.pass.problems[0] ?? 'inconsistent answers';
        return p.poll(Math.max(p.spacing, cfg.inconsistentPauseMs));
    }
    recordPass(state, obs.pass, now);
    return p.poll(Math.max(p.spacing, readAgainIn(state, cfg)));
}
function recordPass(state, pass, now) {
    state.lastPassConsistent = true;
    state.inconsistentPasses = 0;
    state.lastConsistentAt = now;
    state.count = pass.count;
    if (pass.blocking > 0 && !state.blocking) {
        state.blocking = true;
        if (pass.blockingText !== undefined)
            state.blockingText = pass.blockingText;
    }
    if (pass.fingerprint !== state.fingerprint) {
        state.fingerprint = pass.fingerprint;
        state.stableSince = now;
        state.sameReads = 1;
        state.sets += 1;
    }
    else
        state.sameReads += 1;
}
/**
 * When to read a ready scan again: a few times within what is left of the settle window (and, for
 * a pass, of the fill-in floor), at most 10 s apart, jittered.
 */
function readAgainIn(state, cfg) {
    const pr = progress(state, cfg);
    const left = Math.max(cfg.settleMs - pr.stableMs, state.blocking ? 0 : FILL_IN_FLOOR_MS - pr.sinceReadyMs);
    const interval = Math.min(Math.max(cfg.settleMs / 4, 1000), 10_000);
    const jitter = 0.8 + 0.4 * (cfg.random ?? Math.random)();
    return left > 0 ? Math.min(left, interval * jitter) : interval * jitter;
}
function progress(state, cfg) {
    const at = state.lastConsistentAt;
    const stableMs = at !== undefined && state.stableSince !== undefined ? at - state.stableSince : 0;
    const sinceReadyMs = at !== undefined && state.firstReadyAt !== undefined ? at - state.firstReadyAt : 0;
    const countsSettled = state.lastPassConsistent && stableMs >= cfg.settleMs && (state.sameReads >= 2 || cfg.settleMs === 0);
    return {
        countsSettled,
        passable: countsSettled && !state.blocking && sinceReadyMs >= FILL_IN_FLOOR_MS,
        blocking: state.blocking,
        stableMs,
        sinceReadyMs,
    };
}


/***/ }),

/***/ 9407:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _main_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(6854);

await (0,_main_js__WEBPACK_IMPORTED_MODULE_0__/* .run */ .e)();

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 6854:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {


// EXPORTS
__nccwpck_require__.d(__webpack_exports__, {
  e: () => (/* binding */ run)
});

// EXTERNAL MODULE: ./src/core.ts
var core = __nccwpck_require__(828);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __nccwpck_require__(3916);
// EXTERNAL MODULE: external "node:path"
var external_node_path_ = __nccwpck_require__(6760);
// EXTERNAL MODULE: ./src/gate/decision.ts
var decision = __nccwpck_require__(7565);
// EXTERNAL MODULE: ./src/partition.ts
var partition = __nccwpck_require__(9633);
// EXTERNAL MODULE: ./src/severity.ts
var severity = __nccwpck_require__(1012);
;// CONCATENATED MODULE: ./src/inputs.ts





const ROLE_ARN = new RegExp(`^arn:${partition/* ARN_PARTITION */.rn}:iam::(\\d{12}):role\\/(?:[\\w+=,.@-]+\\/)*([\\w+=,.@-]{1,64})$`);
const EXAMPLE_ROLE = (0,partition/* arn */.Cm)({
    service: 'iam',
    region: '',
    account: '123456789012',
    resource: 'role/github-ecr-push',
});
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
/** Reads raw input values and collects every problem, each naming the input and the expected form. */
class InputReader {
    problems = [];
    get;
    workspace;
    constructor(get, workspace) {
        this.get = get;
        this.workspace = workspace;
    }
    bad(name, value, expected) {
        this.problems.push(`Invalid input '${name}': '${value}'. Expected ${expected}.`);
    }
    missing(problem) {
        this.problems.push(problem);
    }
    /** The value as given (lists and free text keep their own layout). */
    verbatim(name) {
        return this.get(name);
    }
    raw(name) {
        return this.get(name).trim();
    }
    bool(name, dflt) {
        const v = this.raw(name);
        if (v === '')
            return dflt;
        if (TRUE.includes(v))
            return true;
        if (FALSE.includes(v))
            return false;
        this.bad(name, v, 'true or false');
        return dflt;
    }
    int(name, dflt, min, max) {
        const v = this.raw(name);
        if (v === '')
            return dflt;
        if (!/^\d+$/.test(v) || Number(v) < min || Number(v) > max) {
            this.bad(name, v, `a whole number of seconds from ${min} to ${max}`);
            return dflt;
        }
        return Number(v);
    }
    oneOf(name, dflt, allowed) {
        const v = this.raw(name);
        if (v === '')
            return dflt;
        const found = allowed.find((a) => a.toLowerCase() === v.toLowerCase());
        if (found === undefined)
            this.bad(name, v, `one of ${allowed.join(', ')}`);
        return found ?? dflt;
    }
    /** An absolute path (relative ones are in the workspace); undefined when empty. */
    filePath(name) {
        const v = this.raw(name);
        if (v === '')
            return undefined;
        if (v.includes('\0')) {
            this.bad(name, v, 'a file path');
            return undefined;
        }
        return external_node_path_.resolve(this.workspace, v);
    }
}
/** `{ [key]: value }`, or nothing when the value is undefined or empty (optional inputs). */
function optional(key, value) {
    return value === undefined || value === '' ? {} : { [key]: value };
}
/** aws-region, or the runner's AWS_REGION / AWS_DEFAULT_REGION; '' when missing or bad. */
function regionInput(r, env) {
    const region = r.raw('aws-region') || (env.AWS_REGION ?? '').trim() || (env.AWS_DEFAULT_REGION ?? '').trim();
    if (region === '') {
        r.missing("Missing input 'aws-region': set it (e.g. aws-region: us-east-1) or the AWS_REGION environment variable.");
        return '';
    }
    if (!REGION.test(region)) {
        r.bad('aws-region', region, 'an AWS region code like us-east-1');
        return '';
    }
    return region;
}
function credentialInputs(r, env) {
    const roleToAssume = r.raw('role-to-assume');
    if (roleToAssume !== '' && !ROLE_ARN.test(roleToAssume)) {
        r.bad('role-to-assume', roleToAssume, `an IAM role ARN like ${EXAMPLE_ROLE}`);
    }
    const region = regionInput(r, env);
    const audience = r.raw('audience') || 'sts.amazonaws.com';
    const runId = env.GITHUB_RUN_ID ?? '0';
    const runAttempt = env.GITHUB_RUN_ATTEMPT ?? '1';
    const roleSessionName = r.raw('role-session-name') || `GitHubActions-${runId}-${runAttempt}`.slice(0, 64);
    if (!SESSION_NAME.test(roleSessionName)) {
        r.bad('role-session-name', roleSessionName, '2 to 64 characters of letters, digits and +=,.@_-');
    }
    const roleDurationSeconds = r.int('role-duration-seconds', 3600, 900, 43200);
    const allowedAccountIds = splitList(r.raw('allowed-account-ids'));
    for (const id of allowedAccountIds) {
        if (!ACCOUNT_ID.test(id))
            r.bad('allowed-account-ids', id, 'comma-separated 12-digit AWS account IDs');
    }
    return {
        ...optional('roleToAssume', roleToAssume),
        region,
        audience,
        roleSessionName,
        roleDurationSeconds,
        allowedAccountIds,
    };
}
function pushInputs(r) {
    const image = r.raw('image');
    if (image === '')
        r.missing("Missing input 'image': the local image to push, e.g. widget:ci.");
    else if (!IMAGE_REF.test(image) && !IMAGE_ID.test(image)) {
        r.bad('image', image, 'a local image reference like widget:ci or an image ID');
    }
    const repository = r.raw('repository');
    if (repository === '')
        r.missing("Missing input 'repository': the ECR repository name, e.g. acme/widget.");
    else if (repository.length < 2 || repository.length > 256 || !REPOSITORY_NAME.test(repository)) {
        r.bad('repository', repository, 'an ECR repository name: 2-256 lowercase letters, digits and . _ - separated by /, e.g. acme/widget');
    }
    const tags = [...new Set(splitList(r.verbatim('tags')))];
    if (tags.length === 0)
        r.missing("Missing input 'tags': at least one tag, e.g. ${{ github.sha }}.");
    for (const t of tags) {
        if (!TAG.test(t))
            r.bad('tags', t, 'tags of letters, digits, _ . - (at most 128, not starting with . or -)');
    }
    if (tags.length > 100)
        r.bad('tags', `${tags.length} tags`, 'at most 100 tags');
    const registryId = r.raw('registry-id');
    if (registryId !== '' && !ACCOUNT_ID.test(registryId)) {
        r.bad('registry-id', registryId, 'the 12-digit account ID that owns the registry');
    }
    const keepLogin = r.bool('keep-login', false);
    return { image, repository, tags, ...optional('registryId', registryId), keepLogin };
}
function governanceInputs(r) {
    const createRepository = r.bool('create-repository', false);
    const imageTagMutability = r.oneOf('image-tag-mutability', 'MUTABLE', ['MUTABLE', 'IMMUTABLE']);
    const encryption = r.oneOf('encryption', 'AES256', ['AES256', 'KMS']);
    const kmsKey = r.raw('kms-key');
    if (kmsKey !== '' && encryption !== 'KMS') {
        r.bad('kms-key', kmsKey, "to be set only with 'encryption: KMS'");
    }
    const lifecyclePolicy = r.filePath('lifecycle-policy');
    return {
        createRepository,
        imageTagMutability,
        encryption,
        ...optional('kmsKey', kmsKey),
        ...optional('lifecyclePolicy', lifecyclePolicy),
    };
}
function gateInputs(r) {
    const waitForScan = r.bool('wait-for-scan', true);
    const before = r.problems.length;
    const scanTimeoutSeconds = r.int('scan-timeout-seconds', 900, 1, 21600);
    const scanSettleSeconds = r.int('scan-settle-seconds', 20, 0, 3600);
    // Checked only when both values are well-formed (else their own error says enough).
    const budget = (0,decision/* budgetProblem */.vS)(scanTimeoutSeconds, scanSettleSeconds);
    if (waitForScan && r.problems.length === before && budget !== undefined)
        r.missing(budget);
    const severityThreshold = r.oneOf('severity-threshold', 'HIGH', severity/* THRESHOLDS */.Rm);
    const ignore = r.verbatim('ignore');
    const ignoreFile = r.filePath('ignore-file');
    const onlyFixable = r.bool('only-fixable', false);
    const onScanUnavailable = r.oneOf('on-scan-unavailable', 'fail', ['fail', 'warn']);
    const sarifFile = r.filePath('sarif-file');
    const summary = r.bool('summary', true);
    return {
        waitForScan,
        scanTimeoutSeconds,
        scanSettleSeconds,
        severityThreshold,
        ignore,
        ...optional('ignoreFile', ignoreFile),
        onlyFixable,
        onScanUnavailable,
        ...optional('sarifFile', sarifFile),
        summary,
    };
}
function auditInputs(r) {
    const audit = r.bool('audit', true);
    const failOnSecrets = r.bool('fail-on-secrets', true);
    const exportFilesystem = r.filePath('export-filesystem');
    return { audit, failOnSecrets, ...optional('exportFilesystem', exportFilesystem) };
}
/** Builds Inputs from raw values, collecting every problem before failing. Pure: no I/O. */
function parseInputs(get, env = {}) {
    const r = new InputReader(get, env.GITHUB_WORKSPACE || process.cwd());
    // Section by section, in action.yml's order: the problems come out in that order too.
    const inputs = {
        ...credentialInputs(r, env),
        ...pushInputs(r),
        ...governanceInputs(r),
        ...gateInputs(r),
        ...auditInputs(r),
    };
    if (r.problems.length > 0)
        throw new errors/* InputError */.dz(r.problems);
    return inputs;
}
/** Reads the action's inputs from the runner's INPUT_* environment. */
function getInputs(env = process.env) {
    const get = (name) => env[`INPUT_${name.replace(/ /g, '_').toUpperCase()}`] ?? '';
    return parseInputs(get, env);
}

// EXTERNAL MODULE: ./src/report.ts
var src_report = __nccwpck_require__(665);
;// CONCATENATED MODULE: ./src/main.ts




/**
 * The action: orchestration only, every decision lives in a module of its own. The input check
 * comes first and needs nothing else; the rest (pipeline.ts) loads only once the inputs are valid.
 */
async function run(env = process.env) {
    const deferred = [];
    const report = new src_report/* Report */.pl();
    let inputs;
    try {
        inputs = getInputs(env);
        debugInputs(inputs);
        const { runPipeline } = await Promise.all(/* import() */[__nccwpck_require__.e(260), __nccwpck_require__.e(196)]).then(__nccwpck_require__.bind(__nccwpck_require__, 9196));
        const failures = await runPipeline(inputs, env, report, {
            defer: (fn) => deferred.push(fn),
            loginDone: () => runDeferred(deferred),
        });
        if (failures.length > 0) {
            process.exitCode = 1;
            for (const f of failures)
                core/* error */.z3(f);
        }
    }
    catch (err) {
        fail(err);
    }
    finally {
        await runDeferred(deferred);
        if (inputs?.summary && !report.empty) {
            await core/* appendSummary */.fe(report.markdown())
                .catch((err) => core/* warning */.$e(`Could not write the job summary: ${(0,errors/* errorMessage */.gJ)(err)}`));
        }
    }
}
/** Runs (once) and forgets the cleanups registered so far, newest first. Never throws. */
async function runDeferred(deferred) {
    for (const fn of deferred.splice(0).reverse()) {
        await fn().catch((err) => core/* warning */.$e(`Cleanup failed: ${(0,errors/* errorMessage */.gJ)(err)}`));
    }
}
function fail(err) {
    if (err instanceof errors/* InputError */.dz) {
        for (const problem of err.problems)
            core/* error */.z3(problem);
        process.exitCode = 1;
        return;
    }
    core/* setFailed */.C1((0,errors/* errorMessage */.gJ)(err));
}
function debugInputs(inputs) {
    if (!core/* isDebug */._o())
        return;
    for (const [k, v] of Object.entries(inputs))
        core/* debug */.Yz(`input ${k} = ${JSON.stringify(v)}`);
}


/***/ }),

/***/ 9633:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Cm: () => (/* binding */ arn),
/* harmony export */   Fh: () => (/* binding */ partitionOfArn),
/* harmony export */   gf: () => (/* binding */ DNS_SUFFIXES),
/* harmony export */   iQ: () => (/* binding */ partitionOf),
/* harmony export */   qM: () => (/* binding */ repositoryArn),
/* harmony export */   rn: () => (/* binding */ ARN_PARTITION)
/* harmony export */ });
/* unused harmony exports registryHostOf, consoleUrl */
/**
 * AWS partitions: the one place that knows how ARNs, registry hosts and console links differ between
 * the commercial regions, China and GovCloud (and the isolated partitions ECR also runs in). Region
 * prefixes and DNS suffixes are those of the AWS SDK's partition data. Pure.
 */
const COMMERCIAL = {
    id: 'aws',
    dnsSuffix: 'amazonaws.com',
    console: '{region}.console.aws.amazon.com',
};
/** By region prefix, most specific first; anything else is the commercial partition. */
const PARTITIONS = [
    ['cn-', { id: 'aws-cn', dnsSuffix: 'amazonaws.com.cn', console: '{region}.console.amazonaws.cn' }],
    ['us-gov-', { id: 'aws-us-gov', dnsSuffix: 'amazonaws.com', console: 'console.amazonaws-us-gov.com' }],
    ['us-isob-', { id: 'aws-iso-b', dnsSuffix: 'sc2s.sgov.gov' }],
    ['us-isof-', { id: 'aws-iso-f', dnsSuffix: 'csp.hci.ic.gov' }],
    ['us-iso-', { id: 'aws-iso', dnsSuffix: 'c2s.ic.gov' }],
    ['eu-isoe-', { id: 'aws-iso-e', dnsSuffix: 'cloud.adc-e.uk' }],
    ['eusc-', { id: 'aws-eusc', dnsSuffix: 'amazonaws.eu' }],
];
/** Every DNS suffix a registry host can end with (the dual-stack `on.aws` aside). */
const DNS_SUFFIXES = [
    ...new Set([COMMERCIAL.dnsSuffix, ...PARTITIONS.map(([, p]) => p.dnsSuffix)]),
];
/** The ARN partition pattern (`aws`, `aws-cn`, `aws-us-gov`, …), for regular expressions. */
const ARN_PARTITION = 'aws(?:-[a-z]+)*';
function partitionOf(region) {
    return PARTITIONS.find(([prefix]) => region.startsWith(prefix))?.[1] ?? COMMERCIAL;
}
/** The partition an ARN names, or undefined when it is not an ARN. */
function partitionOfArn(arnText) {
    const m = new RegExp(`^arn:(${ARN_PARTITION}):`).exec(arnText);
    return m?.[1];
}
function arn(parts) {
    const partition = parts.partition ?? partitionOf(parts.region).id;
    return `arn:${partition}:${parts.service}:${parts.region}:${parts.account}:${parts.resource}`;
}
/** `arn:<partition>:ecr:<region>:<registry>:repository/<name>`. */
function repositoryArn(region, registryId, repository) {
    return arn({ service: 'ecr', region, account: registryId, resource: `repository/${repository}` });
}
/** The private registry host of an account in a region. */
function registryHostOf(account, region) {
    return `${account}.dkr.ecr.${region}.${partitionOf(region).dnsSuffix}`;
}
/**
 * The repository (or, with a digest, the image) in the ECR console; undefined in a partition
 * without a public console.
 */
function consoleUrl(region, registryId, repository, digest) {
    const host = partitionOf(region).console?.replace('{region}', region);
    if (host === undefined)
        return undefined;
    const path = `ecr/repositories/private/${registryId}/${repository}`;
    const image = digest === undefined ? '' : `/_/image/${digest}/details`;
    return `https://${host}/${path}${image}?region=${region}`;
}


/***/ }),

/***/ 665:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Hn: () => (/* binding */ cell),
/* harmony export */   pl: () => (/* binding */ Report)
/* harmony export */ });
/* unused harmony export SECTION_ORDER */
/**
 * The job summary, assembled from the sections the stages return, written once at the end of the
 * step (also when it fails) so a reviewer reads one page instead of the log.
 */
/** The summary's sections, in the order they appear: declared here and nowhere else. */
const SECTION_ORDER = ['verdict', 'push', 'gate', 'governance', 'audit'];
class Report {
    sections = [];
    /** Adds a section to its slot; sections of one slot keep the order they were added in. */
    add(slot, markdown) {
        this.sections.push({ slot, markdown: markdown.trimEnd() });
    }
    /** Adds every section given. */
    addAll(sections) {
        for (const slot of SECTION_ORDER) {
            const markdown = sections[slot];
            if (markdown !== undefined)
                this.add(slot, markdown);
        }
    }
    get empty() {
        return this.sections.length === 0;
    }
    /** The whole summary, kept under GitHub's 1 MiB limit for one step's summary. */
    markdown(limitBytes = 1024 * 1024 - 4096) {
        const rank = (s) => SECTION_ORDER.indexOf(s);
        const text = [...this.sections]
            .sort((a, b) => rank(a.slot) - rank(b.slot))
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


/***/ }),

/***/ 9809:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   E: () => (/* binding */ backoffDelay),
/* harmony export */   u: () => (/* binding */ realSleep)
/* harmony export */ });
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


/***/ }),

/***/ 1012:
/***/ ((__unused_webpack_module, __webpack_exports__, __nccwpck_require__) => {

/* harmony export */ __nccwpck_require__.d(__webpack_exports__, {
/* harmony export */   Rm: () => (/* binding */ THRESHOLDS),
/* harmony export */   V6: () => (/* binding */ severityOfRank),
/* harmony export */   kU: () => (/* binding */ atOrAbove),
/* harmony export */   oC: () => (/* binding */ SEVERITIES),
/* harmony export */   qs: () => (/* binding */ severityRank),
/* harmony export */   s4: () => (/* binding */ normaliseSeverity)
/* harmony export */ });
/**
 * Severities as an ordered type: ECR's six `FindingSeverity` values, highest first, and the
 * threshold that adds NONE. The one place that ranks, parses and normalises them; inputs, findings,
 * the policy and the reports import it. Pure.
 */
/** ECR's finding severities, highest first. */
const SEVERITIES = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW', 'INFORMATIONAL', 'UNDEFINED'];
const THRESHOLDS = [...SEVERITIES, 'NONE'];
const SEVERITY_SET = new Set(SEVERITIES);
/** A scanner's severity text as one of the six; anything else (UNTRIAGED, new values, '') is UNDEFINED. */
function normaliseSeverity(raw) {
    const up = (raw ?? '').trim().toUpperCase();
    return SEVERITY_SET.has(up) ? up : 'UNDEFINED';
}
/** Rank: CRITICAL 5 … UNDEFINED 0. */
function severityRank(s) {
    return SEVERITIES.length - 1 - SEVERITIES.indexOf(s);
}
/** The severity of a rank (inverse of severityRank). */
function severityOfRank(rank) {
    return SEVERITIES[SEVERITIES.length - 1 - rank];
}
/** Does a counted finding at `s` fail the gate at `threshold`? */
function atOrAbove(s, threshold) {
    return threshold !== 'NONE' && severityRank(s) >= severityRank(threshold);
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

/***/ 5317:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("child_process");

/***/ }),

/***/ 4434:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("events");

/***/ }),

/***/ 9896:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("fs");

/***/ }),

/***/ 6698:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:async_hooks");

/***/ }),

/***/ 1421:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:child_process");

/***/ }),

/***/ 7598:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:crypto");

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

/***/ 8161:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:os");

/***/ }),

/***/ 6760:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:path");

/***/ }),

/***/ 1708:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:process");

/***/ }),

/***/ 7075:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream");

/***/ }),

/***/ 6466:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream/promises");

/***/ }),

/***/ 7975:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:util");

/***/ }),

/***/ 8877:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:v8");

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

/***/ 3557:
/***/ ((module) => {

module.exports = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("timers");

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
