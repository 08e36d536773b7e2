export const id = 669;
export const ids = [669];
export const modules = {

/***/ 8669:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {

/* harmony export */ __webpack_require__.d(__webpack_exports__, {
/* harmony export */   exportSavedImage: () => (/* binding */ exportSavedImage)
/* harmony export */ });
/* unused harmony export LayerApplier */
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0__ = __webpack_require__(3024);
/* harmony import */ var node_fs__WEBPACK_IMPORTED_MODULE_0___default = /*#__PURE__*/__webpack_require__.n(node_fs__WEBPACK_IMPORTED_MODULE_0__);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1__ = __webpack_require__(1455);
/* harmony import */ var node_fs_promises__WEBPACK_IMPORTED_MODULE_1___default = /*#__PURE__*/__webpack_require__.n(node_fs_promises__WEBPACK_IMPORTED_MODULE_1__);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2__ = __webpack_require__(6760);
/* harmony import */ var node_path__WEBPACK_IMPORTED_MODULE_2___default = /*#__PURE__*/__webpack_require__.n(node_path__WEBPACK_IMPORTED_MODULE_2__);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_3__ = __webpack_require__(7075);
/* harmony import */ var node_stream__WEBPACK_IMPORTED_MODULE_3___default = /*#__PURE__*/__webpack_require__.n(node_stream__WEBPACK_IMPORTED_MODULE_3__);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_4__ = __webpack_require__(6466);
/* harmony import */ var node_stream_promises__WEBPACK_IMPORTED_MODULE_4___default = /*#__PURE__*/__webpack_require__.n(node_stream_promises__WEBPACK_IMPORTED_MODULE_4__);
/* harmony import */ var node_zlib__WEBPACK_IMPORTED_MODULE_5__ = __webpack_require__(8522);
/* harmony import */ var node_zlib__WEBPACK_IMPORTED_MODULE_5___default = /*#__PURE__*/__webpack_require__.n(node_zlib__WEBPACK_IMPORTED_MODULE_5__);
/* harmony import */ var tar_stream__WEBPACK_IMPORTED_MODULE_6__ = __webpack_require__(6118);
/**
 * The image's merged root filesystem, extracted from a `docker save` archive without running
 * anything. Both archive layouts: Docker's legacy one (manifest.json + <id>/layer.tar) and the OCI
 * layout of newer engines (index.json + blobs/sha256/…); layers plain or gzip/zstd compressed.
 *
 * Streamed: the archive is read once; layers are spooled to disk (the archive lists manifest.json
 * last, so the layer order is known only at its end), then applied in order one entry at a time.
 *
 * Never writes outside `dir`: entries with absolute paths or `..`, relative symlinks that climb out
 * of the root, hard links to such paths, and anything that would be written THROUGH a symlink are
 * refused and reported. Absolute symlink targets (`/etc/localtime -> /usr/share/zoneinfo/UTC`) are
 * rewritten relative to the export root, so they resolve inside it. Devices and FIFOs are skipped.
 */







/** Entries kept in memory (manifests, configs); anything larger is spooled to a file. */
const IN_MEMORY = 256 * 1024;
const MAX_REFUSALS = 1000;
/** Reads a `docker save` archive from `archive` and applies its layers into `dir` (created). */
async function exportSavedImage(archive, dir, spoolDir) {
    await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.mkdir(dir, { recursive: true });
    const root = await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.realpath(dir);
    const spool = await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.mkdtemp(node_path__WEBPACK_IMPORTED_MODULE_2__.join(spoolDir, 'ecr-audit-spool-'));
    try {
        const { entries, links } = await spoolArchive(archive, spool);
        const get = (name) => {
            let n = normalizeArchiveName(name);
            for (let hops = 0; hops < 8; hops++) {
                const e = entries.get(n);
                if (e)
                    return e;
                const target = links.get(n);
                if (target === undefined)
                    return undefined;
                n = target;
            }
            return undefined;
        };
        const json = async (name) => {
            const e = get(name);
            if (!e)
                throw new Error(`the saved image has no ${name}`);
            return JSON.parse(('buffer' in e ? e.buffer : await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.readFile(e.file)).toString('utf8'));
        };
        const { configName, layerNames } = await layout(get, json);
        const config = await json(configName);
        const applier = new LayerApplier(root);
        for (const [i, name] of layerNames.entries()) {
            const e = get(name);
            if (!e)
                throw new Error(`the saved image lacks its layer ${name}`);
            await applier.applyLayer(i + 1, e);
        }
        return { config, result: applier.result(dir, layerNames.length) };
    }
    finally {
        await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm(spool, { recursive: true, force: true });
    }
}
function normalizeArchiveName(name) {
    return node_path__WEBPACK_IMPORTED_MODULE_2__.posix.normalize(name.replace(/^(\.\/)+/, '')).replace(/\/$/, '');
}
/** Runs `handler` on each entry of the tar that `streams` yield, one at a time; it must consume the entry. */
async function eachEntry(streams, handler) {
    const extract = tar_stream__WEBPACK_IMPORTED_MODULE_6__.extract();
    // The extractor may finish before the last handler's continuation has run: await it too.
    let pending = Promise.resolve();
    extract.on('entry', (header, entry, next) => {
        pending = handler(header, entry).then(() => next(), (err) => next(err));
    });
    await (0,node_stream_promises__WEBPACK_IMPORTED_MODULE_4__.pipeline)([...streams, extract]);
    await pending;
}
async function drain(entry) {
    entry.resume();
    await (0,node_stream_promises__WEBPACK_IMPORTED_MODULE_4__.finished)(entry);
}
/** One pass over the outer archive: small entries in memory, big ones in spool files. */
async function spoolArchive(archive, spool) {
    const entries = new Map();
    const links = new Map();
    let n = 0;
    try {
        await eachEntry([archive], async (h, entry) => {
            const name = normalizeArchiveName(h.name);
            if (h.type === 'file' || h.type === 'contiguous-file') {
                if ((h.size ?? 0) <= IN_MEMORY) {
                    const chunks = [];
                    entry.on('data', (c) => chunks.push(c));
                    await (0,node_stream_promises__WEBPACK_IMPORTED_MODULE_4__.finished)(entry);
                    entries.set(name, { buffer: Buffer.concat(chunks) });
                }
                else {
                    const file = node_path__WEBPACK_IMPORTED_MODULE_2__.join(spool, String(n++));
                    await (0,node_stream_promises__WEBPACK_IMPORTED_MODULE_4__.pipeline)(entry, (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.createWriteStream)(file));
                    entries.set(name, { file });
                }
                return;
            }
            if (h.type === 'symlink' && h.linkname) {
                // Docker links a layer seen twice: <id>/layer.tar -> ../<other>/layer.tar
                links.set(name, normalizeArchiveName(node_path__WEBPACK_IMPORTED_MODULE_2__.posix.join(node_path__WEBPACK_IMPORTED_MODULE_2__.posix.dirname(name), h.linkname)));
            }
            else if (h.type === 'link' && h.linkname) {
                links.set(name, normalizeArchiveName(h.linkname));
            }
            await drain(entry);
        });
    }
    catch (err) {
        archive.destroy();
        throw err;
    }
    return { entries, links };
}
/** Where the config and the layers are: Docker's manifest.json, else the OCI index.json. */
async function layout(get, json) {
    if (get('manifest.json')) {
        const m = (await json('manifest.json'));
        const first = Array.isArray(m) ? m[0] : undefined;
        if (first && typeof first.Config === 'string' && Array.isArray(first.Layers)) {
            return { configName: first.Config, layerNames: first.Layers.map(String) };
        }
    }
    if (get('index.json')) {
        const blob = (digest) => {
            const m = /^([a-z0-9]+):([a-f0-9]+)$/.exec(String(digest));
            if (!m)
                throw new Error(`bad digest ${String(digest)} in the saved image`);
            return `blobs/${m[1]}/${m[2]}`;
        };
        let node = (await json('index.json'));
        // Walk nested indexes down to the first image manifest.
        for (let depth = 0; depth < 4; depth++) {
            const child = node.manifests?.[0];
            if (!child)
                break;
            const doc = (await json(blob(child.digest)));
            if (doc.config && Array.isArray(doc.layers)) {
                return { configName: blob(doc.config.digest), layerNames: doc.layers.map((l) => blob(l.digest)) };
            }
            node = doc;
        }
    }
    throw new Error('the saved image has neither a Docker manifest.json nor an OCI index.json with an image manifest');
}
/** Applies layer tars into a root directory, one entry at a time. */
class LayerApplier {
    root;
    safeDirs = new Set();
    written = new Set();
    layer = 0;
    stats = {
        files: 0,
        dirs: 0,
        symlinks: 0,
        symlinksRewritten: 0,
        hardlinks: 0,
        whiteouts: 0,
        skipped: 0,
        bytes: 0,
        refusedCount: 0,
    };
    refused = [];
    /** `root` must be a real path (no symlink in it). */
    constructor(root) {
        this.root = root;
    }
    result(dir, layers) {
        return { dir, layers, ...this.stats, refused: this.refused };
    }
    /** Applies one layer (a tar, possibly compressed) given as a buffer, a file or a stream. */
    async applyLayer(layer, source) {
        this.layer = layer;
        this.written = new Set();
        let input;
        let magic;
        if (source instanceof node_stream__WEBPACK_IMPORTED_MODULE_3__.Readable) {
            input = source;
            magic = Buffer.alloc(0);
        }
        else if ('buffer' in source) {
            input = node_stream__WEBPACK_IMPORTED_MODULE_3__.Readable.from([source.buffer]);
            magic = source.buffer.subarray(0, 4);
        }
        else {
            const fh = await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.open(source.file, 'r');
            try {
                magic = Buffer.alloc(4);
                const { bytesRead } = await fh.read(magic, 0, 4, 0);
                magic = magic.subarray(0, bytesRead);
            }
            finally {
                await fh.close();
            }
            input = (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.createReadStream)(source.file, { highWaterMark: 256 * 1024 });
        }
        const stages = [];
        if (magic[0] === 0x1f && magic[1] === 0x8b)
            stages.push(node_zlib__WEBPACK_IMPORTED_MODULE_5__.createGunzip());
        else if (magic.equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) {
            const z = node_zlib__WEBPACK_IMPORTED_MODULE_5__.createZstdDecompress;
            if (!z)
                throw new Error(`layer ${layer} is zstd-compressed, which this Node.js cannot read`);
            stages.push(z());
        }
        try {
            await eachEntry([input, ...stages], (h, entry) => this.apply(h, entry));
        }
        catch (err) {
            input.destroy();
            throw err;
        }
    }
    refuse(name, reason) {
        this.stats.refusedCount++;
        if (this.refused.length < MAX_REFUSALS)
            this.refused.push({ layer: this.layer, path: name, reason });
    }
    /** Image-relative path parts of an entry name, or a reason to refuse it. */
    static parts(name) {
        if (name.startsWith('/'))
            return 'absolute path';
        const parts = name.split('/').filter((p) => p !== '' && p !== '.');
        if (parts.includes('..'))
            return 'path with ..';
        if (parts.some((p) => p.includes('\0')))
            return 'NUL in path';
        return parts;
    }
    abs(parts) {
        return node_path__WEBPACK_IMPORTED_MODULE_2__.join(this.root, ...parts);
    }
    /**
     * Makes sure every directory above an entry is a real directory inside the root (creating missing
     * ones); returns a refusal reason when one is a symlink (writing through it could leave the root).
     */
    async parentsOk(parts, create) {
        for (let i = 1; i < parts.length; i++) {
            const rel = parts.slice(0, i).join('/');
            if (this.safeDirs.has(rel))
                continue;
            const p = this.abs(parts.slice(0, i));
            const st = await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.lstat(p).catch(() => undefined);
            if (st === undefined) {
                if (!create)
                    return 'missing';
                await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.mkdir(p, { mode: 0o755 });
                this.written.add(rel);
            }
            else if (st.isSymbolicLink()) {
                return `would write through the symlink /${rel} of an earlier entry`;
            }
            else if (!st.isDirectory()) {
                return `/${rel} is not a directory`;
            }
            this.safeDirs.add(rel);
        }
        return undefined;
    }
    async remove(p, rel) {
        const st = await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.lstat(p).catch(() => undefined);
        if (st === undefined)
            return;
        if (st.isDirectory()) {
            for (const d of this.safeDirs)
                if (d === rel || d.startsWith(`${rel}/`))
                    this.safeDirs.delete(d);
            await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.rm(p, { recursive: true, force: true });
        }
        else {
            await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.unlink(p);
        }
    }
    async apply(h, entry) {
        const name = h.name;
        const parts = LayerApplier.parts(name);
        if (typeof parts === 'string') {
            this.refuse(name, parts);
            await drain(entry);
            return;
        }
        if (parts.length === 0) {
            await drain(entry); // the root itself
            return;
        }
        const base = parts.at(-1);
        if (base.startsWith('.wh.')) {
            await drain(entry);
            return this.whiteout(name, parts, base);
        }
        const problem = await this.parentsOk(parts, true);
        if (problem !== undefined) {
            await drain(entry);
            return this.refuse(name, problem);
        }
        if (await this.write(h, entry, parts))
            this.written.add(parts.join('/'));
    }
    /** Whiteouts: .wh..wh..opq clears what earlier layers put in the directory; .wh.NAME deletes NAME. */
    async whiteout(name, parts, base) {
        const dirParts = parts.slice(0, -1);
        const problem = await this.parentsOk([...dirParts, base], base === '.wh..wh..opq');
        if (problem === 'missing')
            return;
        if (problem !== undefined)
            return this.refuse(name, problem);
        this.stats.whiteouts++;
        const dirRel = dirParts.join('/');
        const dirAbs = this.abs(dirParts);
        if (base === '.wh..wh..opq') {
            for (const child of await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.readdir(dirAbs).catch(() => [])) {
                const childRel = dirRel === '' ? child : `${dirRel}/${child}`;
                if (!this.written.has(childRel))
                    await this.remove(node_path__WEBPACK_IMPORTED_MODULE_2__.join(dirAbs, child), childRel);
            }
            return;
        }
        const victim = base.slice('.wh.'.length);
        const victimRel = dirRel === '' ? victim : `${dirRel}/${victim}`;
        if (victim !== '' && victim !== '.' && victim !== '..' && !this.written.has(victimRel)) {
            await this.remove(node_path__WEBPACK_IMPORTED_MODULE_2__.join(dirAbs, victim), victimRel);
        }
    }
    /** Writes one entry whose parents are checked; false when it was refused or skipped. */
    async write(h, entry, parts) {
        const rel = parts.join('/');
        const target = this.abs(parts);
        const mode = (h.mode ?? 0o644) & 0o777;
        switch (h.type) {
            case 'directory': {
                await drain(entry);
                const st = await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.lstat(target).catch(() => undefined);
                if (st && !st.isDirectory())
                    await this.remove(target, rel);
                if (!st || !st.isDirectory())
                    await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.mkdir(target, { mode: mode | 0o700 });
                else
                    await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.chmod(target, mode | 0o700);
                this.safeDirs.add(rel);
                this.stats.dirs++;
                return true;
            }
            case 'file':
            case 'contiguous-file': {
                await this.remove(target, rel);
                // wx: never follows or overwrites anything that appeared meanwhile.
                await (0,node_stream_promises__WEBPACK_IMPORTED_MODULE_4__.pipeline)(entry, (0,node_fs__WEBPACK_IMPORTED_MODULE_0__.createWriteStream)(target, { flags: 'wx', mode: mode | 0o600 }));
                this.stats.files++;
                this.stats.bytes += h.size ?? 0;
                return true;
            }
            case 'symlink':
                await drain(entry);
                return this.symlink(h, parts, target, rel);
            case 'link':
                await drain(entry);
                return this.hardlink(h, target, rel);
            default:
                await drain(entry);
                this.stats.skipped++;
                return false;
        }
    }
    /** A symlink; absolute targets are rebased into the export, relative ones may not leave it. */
    async symlink(h, parts, target, rel) {
        let link = h.linkname ?? '';
        if (link.startsWith('/')) {
            // Inside the image, /x means the image's /x: point at the export's own copy.
            const rebased = node_path__WEBPACK_IMPORTED_MODULE_2__.posix.relative(node_path__WEBPACK_IMPORTED_MODULE_2__.posix.join('/', ...parts.slice(0, -1)), node_path__WEBPACK_IMPORTED_MODULE_2__.posix.normalize(link));
            link = rebased === '' ? '.' : rebased;
            this.stats.symlinksRewritten++;
        }
        else {
            const resolved = node_path__WEBPACK_IMPORTED_MODULE_2__.posix.normalize(node_path__WEBPACK_IMPORTED_MODULE_2__.posix.join(parts.slice(0, -1).join('/') || '.', link));
            if (resolved === '..' || resolved.startsWith('../')) {
                this.refuse(h.name, `symlink to ${h.linkname ?? ''} points outside the image root`);
                return false;
            }
        }
        await this.remove(target, rel);
        await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.symlink(link, target);
        this.stats.symlinks++;
        return true;
    }
    /** A hard link to a file an earlier entry wrote, inside the export. */
    async hardlink(h, target, rel) {
        const srcParts = LayerApplier.parts(h.linkname ?? '');
        if (typeof srcParts === 'string' || srcParts.length === 0) {
            const why = typeof srcParts === 'string' ? srcParts : 'the root';
            this.refuse(h.name, `hard link to ${h.linkname ?? ''}: ${why}`);
            return false;
        }
        const srcProblem = await this.parentsOk(srcParts, false);
        const src = this.abs(srcParts);
        const st = await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.lstat(src).catch(() => undefined);
        if (srcProblem !== undefined || st === undefined || st.isDirectory()) {
            const why = srcProblem === 'missing' || st === undefined ? 'no such file' : (srcProblem ?? 'a directory');
            this.refuse(h.name, `hard link to ${h.linkname ?? ''}: ${why}`);
            return false;
        }
        if (src === target)
            return true;
        await this.remove(target, rel);
        await node_fs_promises__WEBPACK_IMPORTED_MODULE_1__.link(src, target);
        this.stats.hardlinks++;
        return true;
    }
}


/***/ })

};
