import { createRequire as __WEBPACK_EXTERNAL_createRequire } from "module";
/******/ var __webpack_modules__ = ({

/***/ 3057:
/***/ ((module) => {

function isBuffer(value) {
  return Buffer.isBuffer(value) || value instanceof Uint8Array
}

function isEncoding(encoding) {
  return Buffer.isEncoding(encoding)
}

function alloc(size, fill, encoding) {
  return Buffer.alloc(size, fill, encoding)
}

function allocUnsafe(size) {
  return Buffer.allocUnsafe(size)
}

function allocUnsafeSlow(size) {
  return Buffer.allocUnsafeSlow(size)
}

function byteLength(string, encoding) {
  return Buffer.byteLength(string, encoding)
}

function compare(a, b) {
  return Buffer.compare(a, b)
}

function concat(buffers, totalLength) {
  return Buffer.concat(buffers, totalLength)
}

function copy(source, target, targetStart, start, end) {
  return toBuffer(source).copy(target, targetStart, start, end)
}

function equals(a, b) {
  return toBuffer(a).equals(b)
}

function fill(buffer, value, offset, end, encoding) {
  return toBuffer(buffer).fill(value, offset, end, encoding)
}

function from(value, encodingOrOffset, length) {
  return Buffer.from(value, encodingOrOffset, length)
}

function includes(buffer, value, byteOffset, encoding) {
  return toBuffer(buffer).includes(value, byteOffset, encoding)
}

function indexOf(buffer, value, byfeOffset, encoding) {
  return toBuffer(buffer).indexOf(value, byfeOffset, encoding)
}

function lastIndexOf(buffer, value, byteOffset, encoding) {
  return toBuffer(buffer).lastIndexOf(value, byteOffset, encoding)
}

function swap16(buffer) {
  return toBuffer(buffer).swap16()
}

function swap32(buffer) {
  return toBuffer(buffer).swap32()
}

function swap64(buffer) {
  return toBuffer(buffer).swap64()
}

function toBuffer(buffer) {
  if (Buffer.isBuffer(buffer)) return buffer
  return Buffer.from(buffer.buffer, buffer.byteOffset, buffer.byteLength)
}

function toString(buffer, encoding, start, end) {
  return toBuffer(buffer).toString(encoding, start, end)
}

function toHex(buffer, start, end) {
  return toBuffer(buffer).toString('hex', start, end)
}

function write(buffer, string, offset, length, encoding) {
  return toBuffer(buffer).write(string, offset, length, encoding)
}

function readDoubleBE(buffer, offset) {
  return toBuffer(buffer).readDoubleBE(offset)
}

function readDoubleLE(buffer, offset) {
  return toBuffer(buffer).readDoubleLE(offset)
}

function readFloatBE(buffer, offset) {
  return toBuffer(buffer).readFloatBE(offset)
}

function readFloatLE(buffer, offset) {
  return toBuffer(buffer).readFloatLE(offset)
}

function readInt32BE(buffer, offset) {
  return toBuffer(buffer).readInt32BE(offset)
}

function readInt32LE(buffer, offset) {
  return toBuffer(buffer).readInt32LE(offset)
}

function readUInt32BE(buffer, offset) {
  return toBuffer(buffer).readUInt32BE(offset)
}

function readUInt32LE(buffer, offset) {
  return toBuffer(buffer).readUInt32LE(offset)
}

function writeDoubleBE(buffer, value, offset) {
  return toBuffer(buffer).writeDoubleBE(value, offset)
}

function writeDoubleLE(buffer, value, offset) {
  return toBuffer(buffer).writeDoubleLE(value, offset)
}

function writeFloatBE(buffer, value, offset) {
  return toBuffer(buffer).writeFloatBE(value, offset)
}

function writeFloatLE(buffer, value, offset) {
  return toBuffer(buffer).writeFloatLE(value, offset)
}

function writeInt32BE(buffer, value, offset) {
  return toBuffer(buffer).writeInt32BE(value, offset)
}

function writeInt32LE(buffer, value, offset) {
  return toBuffer(buffer).writeInt32LE(value, offset)
}

function writeUInt32BE(buffer, value, offset) {
  return toBuffer(buffer).writeUInt32BE(value, offset)
}

function writeUInt32LE(buffer, value, offset) {
  return toBuffer(buffer).writeUInt32LE(value, offset)
}

module.exports = {
  isBuffer,
  isEncoding,
  alloc,
  allocUnsafe,
  allocUnsafeSlow,
  byteLength,
  compare,
  concat,
  copy,
  equals,
  fill,
  from,
  includes,
  indexOf,
  lastIndexOf,
  swap16,
  swap32,
  swap64,
  toBuffer,
  toString,
  toHex,
  write,
  readDoubleBE,
  readDoubleLE,
  readFloatBE,
  readFloatLE,
  readInt32BE,
  readInt32LE,
  readUInt32BE,
  readUInt32LE,
  writeDoubleBE,
  writeDoubleLE,
  writeFloatBE,
  writeFloatLE,
  writeInt32BE,
  writeInt32LE,
  writeUInt32BE,
  writeUInt32LE
}


/***/ }),

/***/ 9580:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

module.exports = __nccwpck_require__(4434)


/***/ }),

/***/ 3587:
/***/ ((module) => {

module.exports = class FixedFIFO {
  constructor (hwm) {
    if (!(hwm > 0) || ((hwm - 1) & hwm) !== 0) throw new Error('Max size for a FixedFIFO should be a power of two')
    this.buffer = new Array(hwm)
    this.mask = hwm - 1
    this.top = 0
    this.btm = 0
    this.next = null
  }

  clear () {
    this.top = this.btm = 0
    this.next = null
    this.buffer.fill(undefined)
  }

  push (data) {
    if (this.buffer[this.top] !== undefined) return false
    this.buffer[this.top] = data
    this.top = (this.top + 1) & this.mask
    return true
  }

  shift () {
    const last = this.buffer[this.btm]
    if (last === undefined) return undefined
    this.buffer[this.btm] = undefined
    this.btm = (this.btm + 1) & this.mask
    return last
  }

  peek () {
    return this.buffer[this.btm]
  }

  isEmpty () {
    return this.buffer[this.btm] === undefined
  }
}


/***/ }),

/***/ 3867:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const FixedFIFO = __nccwpck_require__(3587)

module.exports = class FastFIFO {
  constructor (hwm) {
    this.hwm = hwm || 16
    this.head = new FixedFIFO(this.hwm)
    this.tail = this.head
    this.length = 0
  }

  clear () {
    this.head = this.tail
    this.head.clear()
    this.length = 0
  }

  push (val) {
    this.length++
    if (!this.head.push(val)) {
      const prev = this.head
      this.head = prev.next = new FixedFIFO(2 * this.head.buffer.length)
      this.head.push(val)
    }
  }

  shift () {
    if (this.length !== 0) this.length--
    const val = this.tail.shift()
    if (val === undefined && this.tail.next) {
      const next = this.tail.next
      this.tail.next = null
      this.tail = next
      return this.tail.shift()
    }

    return val
  }

  peek () {
    const val = this.tail.peek()
    if (val === undefined && this.tail.next) return this.tail.next.peek()
    return val
  }

  isEmpty () {
    return this.length === 0
  }
}


/***/ }),

/***/ 6204:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const { EventEmitter } = __nccwpck_require__(9580)
const FIFO = __nccwpck_require__(3867)
const TextDecoder = __nccwpck_require__(7934)

const StreamError = __nccwpck_require__(5657)

// if we do a future major, expect queue microtask to be there always, for now a bit defensive
const qmt =
  typeof queueMicrotask === 'undefined' ? (fn) => global.process.nextTick(fn) : queueMicrotask

// 29 bits used total (4 from shared, 14 from read, and 11 from write)
const MAX = (1 << 29) - 1

// Shared state
const OPENING = 0b0001
const PREDESTROYING = 0b0010
const DESTROYING = 0b0100
const DESTROYED = 0b1000

const NOT_OPENING = MAX ^ OPENING
const NOT_PREDESTROYING = MAX ^ PREDESTROYING

// Read state (4 bit offset from shared state)
const READ_ACTIVE = 0b00000000000001 << 4
const READ_UPDATING = 0b00000000000010 << 4
const READ_PRIMARY = 0b00000000000100 << 4
const READ_QUEUED = 0b00000000001000 << 4
const READ_RESUMED = 0b00000000010000 << 4
const READ_PIPE_DRAINED = 0b00000000100000 << 4
const READ_ENDING = 0b00000001000000 << 4
const READ_EMIT_DATA = 0b00000010000000 << 4
const READ_EMIT_READABLE = 0b00000100000000 << 4
const READ_EMITTED_READABLE = 0b00001000000000 << 4
const READ_DONE = 0b00010000000000 << 4
const READ_NEXT_TICK = 0b00100000000000 << 4
const READ_NEEDS_PUSH = 0b01000000000000 << 4
const READ_READ_AHEAD = 0b10000000000000 << 4

// Combined read state
const READ_FLOWING = READ_RESUMED | READ_PIPE_DRAINED
const READ_ACTIVE_AND_NEEDS_PUSH = READ_ACTIVE | READ_NEEDS_PUSH
const READ_PRIMARY_AND_ACTIVE = READ_PRIMARY | READ_ACTIVE
const READ_EMIT_READABLE_AND_QUEUED = READ_EMIT_READABLE | READ_QUEUED
const READ_RESUMED_READ_AHEAD = READ_RESUMED | READ_READ_AHEAD

const READ_NOT_ACTIVE = MAX ^ READ_ACTIVE
const READ_NON_PRIMARY = MAX ^ READ_PRIMARY
const READ_NON_PRIMARY_AND_PUSHED = MAX ^ (READ_PRIMARY | READ_NEEDS_PUSH)
const READ_PUSHED = MAX ^ READ_NEEDS_PUSH
const READ_PAUSED = MAX ^ READ_RESUMED
const READ_NOT_QUEUED = MAX ^ (READ_QUEUED | READ_EMITTED_READABLE)
const READ_NOT_ENDING = MAX ^ READ_ENDING
const READ_PIPE_NOT_DRAINED = MAX ^ READ_FLOWING
const READ_NOT_NEXT_TICK = MAX ^ READ_NEXT_TICK
const READ_NOT_UPDATING = MAX ^ READ_UPDATING
const READ_NO_READ_AHEAD = MAX ^ READ_READ_AHEAD
const READ_PAUSED_NO_READ_AHEAD = MAX ^ READ_RESUMED_READ_AHEAD

// Write state (18 bit offset, 4 bit offset from shared state and 14 from read state)
const WRITE_ACTIVE = 0b00000000001 << 18
const WRITE_UPDATING = 0b00000000010 << 18
const WRITE_PRIMARY = 0b00000000100 << 18
const WRITE_QUEUED = 0b00000001000 << 18
const WRITE_UNDRAINED = 0b00000010000 << 18
const WRITE_DONE = 0b00000100000 << 18
const WRITE_EMIT_DRAIN = 0b00001000000 << 18
const WRITE_NEXT_TICK = 0b00010000000 << 18
const WRITE_WRITING = 0b00100000000 << 18
const WRITE_FINISHING = 0b01000000000 << 18
const WRITE_CORKED = 0b10000000000 << 18

const WRITE_NOT_ACTIVE = MAX ^ (WRITE_ACTIVE | WRITE_WRITING)
const WRITE_NON_PRIMARY = MAX ^ WRITE_PRIMARY
const WRITE_NOT_FINISHING = MAX ^ (WRITE_ACTIVE | WRITE_FINISHING)
const WRITE_DRAINED = MAX ^ WRITE_UNDRAINED
const WRITE_NOT_QUEUED = MAX ^ WRITE_QUEUED
const WRITE_NOT_NEXT_TICK = MAX ^ WRITE_NEXT_TICK
const WRITE_NOT_UPDATING = MAX ^ WRITE_UPDATING
const WRITE_NOT_CORKED = MAX ^ WRITE_CORKED

// Combined shared state
const ACTIVE = READ_ACTIVE | WRITE_ACTIVE
const NOT_ACTIVE = MAX ^ ACTIVE
const DONE = READ_DONE | WRITE_DONE
const DESTROY_STATUS = DESTROYING | DESTROYED | PREDESTROYING
const OPEN_STATUS = DESTROY_STATUS | OPENING
const AUTO_DESTROY = DESTROY_STATUS | DONE
const NON_PRIMARY = WRITE_NON_PRIMARY & READ_NON_PRIMARY
const ACTIVE_OR_TICKING = WRITE_NEXT_TICK | READ_NEXT_TICK
const TICKING = ACTIVE_OR_TICKING & NOT_ACTIVE
const IS_OPENING = OPEN_STATUS | TICKING

// Combined shared state and read state
const READ_PRIMARY_STATUS = OPEN_STATUS | READ_ENDING | READ_DONE
const READ_STATUS = OPEN_STATUS | READ_DONE | READ_QUEUED
const READ_ENDING_STATUS = OPEN_STATUS | READ_ENDING | READ_QUEUED
const READ_READABLE_STATUS = OPEN_STATUS | READ_EMIT_READABLE | READ_QUEUED | READ_EMITTED_READABLE
const SHOULD_NOT_READ =
  OPEN_STATUS | READ_ACTIVE | READ_ENDING | READ_DONE | READ_NEEDS_PUSH | READ_READ_AHEAD
const READ_BACKPRESSURE_STATUS = DESTROY_STATUS | READ_ENDING | READ_DONE
const READ_UPDATE_SYNC_STATUS = READ_UPDATING | OPEN_STATUS | READ_NEXT_TICK | READ_PRIMARY
const READ_NEXT_TICK_OR_OPENING = READ_NEXT_TICK | OPENING

// Combined write state
const WRITE_PRIMARY_STATUS = OPEN_STATUS | WRITE_FINISHING | WRITE_DONE
const WRITE_QUEUED_AND_UNDRAINED = WRITE_QUEUED | WRITE_UNDRAINED
const WRITE_QUEUED_AND_ACTIVE = WRITE_QUEUED | WRITE_ACTIVE
const WRITE_DRAIN_STATUS = WRITE_QUEUED | WRITE_UNDRAINED | OPEN_STATUS | WRITE_ACTIVE
const WRITE_STATUS = OPEN_STATUS | WRITE_ACTIVE | WRITE_QUEUED | WRITE_CORKED
const WRITE_PRIMARY_AND_ACTIVE = WRITE_PRIMARY | WRITE_ACTIVE
const WRITE_ACTIVE_AND_WRITING = WRITE_ACTIVE | WRITE_WRITING
const WRITE_FINISHING_STATUS = OPEN_STATUS | WRITE_FINISHING | WRITE_QUEUED_AND_ACTIVE | WRITE_DONE
const WRITE_BACKPRESSURE_STATUS = WRITE_UNDRAINED | DESTROY_STATUS | WRITE_FINISHING | WRITE_DONE
const WRITE_UPDATE_SYNC_STATUS = WRITE_UPDATING | OPEN_STATUS | WRITE_NEXT_TICK | WRITE_PRIMARY
const WRITE_DROP_DATA = WRITE_FINISHING | WRITE_DONE | DESTROY_STATUS

const asyncIterator = Symbol.asyncIterator || Symbol('asyncIterator')

class WritableState {
  constructor(
    stream,
    { highWaterMark = 16384, map = null, mapWritable, byteLength, byteLengthWritable } = {}
  ) {
    this.stream = stream
    this.queue = new FIFO()
    this.highWaterMark = highWaterMark
    this.buffered = 0
    this.error = null
    this.pipeline = null
    this.drains = null // if we add more seldomly used helpers we might them into a subobject so its a single ptr
    this.byteLength = byteLengthWritable || byteLength || defaultByteLength
    this.map = mapWritable || map
    this.afterWrite = afterWrite.bind(this)
    this.afterUpdateNextTick = updateWriteNT.bind(this)
  }

  get ending() {
    return (this.stream._duplexState & WRITE_FINISHING) !== 0
  }

  get ended() {
    return (this.stream._duplexState & WRITE_DONE) !== 0
  }

  push(data) {
    if ((this.stream._duplexState & WRITE_DROP_DATA) !== 0) return false
    if (this.map !== null) data = this.map(data)

    this.buffered += this.byteLength(data)
    this.queue.push(data)

    if (this.buffered < this.highWaterMark) {
      this.stream._duplexState |= WRITE_QUEUED
      return true
    }

    this.stream._duplexState |= WRITE_QUEUED_AND_UNDRAINED
    return false
  }

  shift() {
    const data = this.queue.shift()

    this.buffered -= this.byteLength(data)
    if (this.buffered === 0) this.stream._duplexState &= WRITE_NOT_QUEUED

    return data
  }

  end(data) {
    if (typeof data === 'function') {
      this.stream.once('finish', data)
    } else if (data !== undefined && data !== null) {
      this.push(data)
    }

    this.stream._duplexState = (this.stream._duplexState | WRITE_FINISHING) & WRITE_NON_PRIMARY
  }

  autoBatch(data, cb) {
    const buffer = []
    const stream = this.stream

    buffer.push(data)
    while ((stream._duplexState & WRITE_STATUS) === WRITE_QUEUED_AND_ACTIVE) {
      buffer.push(stream._writableState.shift())
    }

    if ((stream._duplexState & OPEN_STATUS) !== 0) return cb(null)
    stream._writev(buffer, cb)
  }

  update() {
    const stream = this.stream

    stream._duplexState |= WRITE_UPDATING

    do {
      while ((stream._duplexState & WRITE_STATUS) === WRITE_QUEUED) {
        const data = this.shift()
        stream._duplexState |= WRITE_ACTIVE_AND_WRITING
        stream._write(data, this.afterWrite)
      }

      if ((stream._duplexState & WRITE_PRIMARY_AND_ACTIVE) === 0) this.updateNonPrimary()
    } while (this.continueUpdate() === true)

    stream._duplexState &= WRITE_NOT_UPDATING
  }

  updateNonPrimary() {
    const stream = this.stream

    if ((stream._duplexState & WRITE_FINISHING_STATUS) === WRITE_FINISHING) {
      stream._duplexState = stream._duplexState | WRITE_ACTIVE
      stream._final(afterFinal.bind(this))
      return
    }

    if ((stream._duplexState & DESTROY_STATUS) === DESTROYING) {
      if ((stream._duplexState & ACTIVE_OR_TICKING) === 0) {
        stream._duplexState |= ACTIVE
        stream._destroy(afterDestroy.bind(this))
      }
      return
    }

    if ((stream._duplexState & IS_OPENING) === OPENING) {
      stream._duplexState = (stream._duplexState | ACTIVE) & NOT_OPENING
      stream._open(afterOpen.bind(this))
    }
  }

  continueUpdate() {
    if ((this.stream._duplexState & WRITE_NEXT_TICK) === 0) return false
    this.stream._duplexState &= WRITE_NOT_NEXT_TICK
    return true
  }

  updateCallback() {
    if ((this.stream._duplexState & WRITE_UPDATE_SYNC_STATUS) === WRITE_PRIMARY) {
      this.update()
    } else {
      this.updateNextTick()
    }
  }

  updateNextTick() {
    if ((this.stream._duplexState & WRITE_NEXT_TICK) !== 0) return
    this.stream._duplexState |= WRITE_NEXT_TICK
    if ((this.stream._duplexState & WRITE_UPDATING) === 0) qmt(this.afterUpdateNextTick)
  }
}

class ReadableState {
  constructor(
    stream,
    { highWaterMark = 16384, map = null, mapReadable, byteLength, byteLengthReadable } = {}
  ) {
    this.stream = stream
    this.queue = new FIFO()
    this.highWaterMark = highWaterMark === 0 ? 1 : highWaterMark
    this.buffered = 0
    this.readAhead = highWaterMark > 0
    this.error = null
    this.pipeline = null
    this.byteLength = byteLengthReadable || byteLength || defaultByteLength
    this.map = mapReadable || map
    this.pipeTo = null
    this.afterRead = afterRead.bind(this)
    this.afterUpdateNextTick = updateReadNT.bind(this)
  }

  get ending() {
    return (this.stream._duplexState & READ_ENDING) !== 0
  }

  get ended() {
    return (this.stream._duplexState & READ_DONE) !== 0
  }

  pipe(pipeTo, cb) {
    if (this.pipeTo !== null) throw StreamError.BAD_ARGUMENT('Can only pipe to one destination')
    if (typeof cb !== 'function') cb = null

    this.stream._duplexState |= READ_PIPE_DRAINED
    this.pipeTo = pipeTo
    this.pipeline = new Pipeline(this.stream, pipeTo, cb)

    if (cb) this.stream.on('error', noop) // We already error handle this so supress crashes

    if (isStreamx(pipeTo)) {
      pipeTo._writableState.pipeline = this.pipeline
      if (cb) pipeTo.on('error', noop) // We already error handle this so supress crashes
      pipeTo.on('finish', this.pipeline.finished.bind(this.pipeline)) // TODO: just call finished from pipeTo itself
    } else {
      const onerror = this.pipeline.done.bind(this.pipeline, pipeTo)
      const onclose = this.pipeline.done.bind(this.pipeline, pipeTo, null) // onclose has a weird bool arg
      pipeTo.on('error', onerror)
      pipeTo.on('close', onclose)
      pipeTo.on('finish', this.pipeline.finished.bind(this.pipeline))
    }

    pipeTo.on('drain', afterDrain.bind(this))
    this.stream.emit('piping', pipeTo)
    pipeTo.emit('pipe', this.stream)
  }

  push(data) {
    const stream = this.stream

    if (data === null) {
      this.highWaterMark = 0
      stream._duplexState = (stream._duplexState | READ_ENDING) & READ_NON_PRIMARY_AND_PUSHED
      return false
    }

    if (this.map !== null) {
      data = this.map(data)
      if (data === null) {
        stream._duplexState &= READ_PUSHED
        return this.buffered < this.highWaterMark
      }
    }

    this.buffered += this.byteLength(data)
    this.queue.push(data)

    stream._duplexState = (stream._duplexState | READ_QUEUED) & READ_PUSHED

    return this.buffered < this.highWaterMark
  }

  shift() {
    const data = this.queue.shift()

    this.buffered -= this.byteLength(data)
    if (this.buffered === 0) {
      this.stream._duplexState &= READ_NOT_QUEUED
    }

    return data
  }

  unshift(data) {
    const pending = [this.map !== null ? this.map(data) : data]
    while (this.buffered > 0) pending.push(this.shift())

    for (let i = 0; i < pending.length - 1; i++) {
      const data = pending[i]
      this.buffered += this.byteLength(data)
      this.queue.push(data)
    }

    this.push(pending[pending.length - 1])
  }

  read() {
    const stream = this.stream

    if ((stream._duplexState & READ_STATUS) === READ_QUEUED) {
      const data = this.shift()

      if (this.pipeTo !== null && this.pipeTo.write(data) === false) {
        stream._duplexState &= READ_PIPE_NOT_DRAINED
      }

      if ((stream._duplexState & READ_EMIT_DATA) !== 0) {
        stream.emit('data', data)
      }

      return data
    }

    if (this.readAhead === false) {
      stream._duplexState |= READ_READ_AHEAD
      this.updateNextTick()
    }

    return null
  }

  drain() {
    const stream = this.stream

    while (
      (stream._duplexState & READ_STATUS) === READ_QUEUED &&
      (stream._duplexState & READ_FLOWING) !== 0
    ) {
      const data = this.shift()

      if (this.pipeTo !== null && this.pipeTo.write(data) === false) {
        stream._duplexState &= READ_PIPE_NOT_DRAINED
      }

      if ((stream._duplexState & READ_EMIT_DATA) !== 0) {
        stream.emit('data', data)
      }
    }
  }

  update() {
    const stream = this.stream

    stream._duplexState |= READ_UPDATING

    do {
      this.drain()

      while (
        this.buffered < this.highWaterMark &&
        (stream._duplexState & SHOULD_NOT_READ) === READ_READ_AHEAD
      ) {
        stream._duplexState |= READ_ACTIVE_AND_NEEDS_PUSH
        stream._read(this.afterRead)
        this.drain()
      }

      if ((stream._duplexState & READ_READABLE_STATUS) === READ_EMIT_READABLE_AND_QUEUED) {
        stream._duplexState |= READ_EMITTED_READABLE
        stream.emit('readable')
      }

      if ((stream._duplexState & READ_PRIMARY_AND_ACTIVE) === 0) {
        this.updateNonPrimary()
      }
    } while (this.continueUpdate() === true)

    stream._duplexState &= READ_NOT_UPDATING
  }

  updateNonPrimary() {
    const stream = this.stream

    if ((stream._duplexState & READ_ENDING_STATUS) === READ_ENDING) {
      stream._duplexState = (stream._duplexState | READ_DONE) & READ_NOT_ENDING
      stream.emit('end')

      if ((stream._duplexState & AUTO_DESTROY) === DONE) {
        stream._duplexState |= DESTROYING
      }

      if (this.pipeTo !== null) {
        this.pipeTo.end()
      }
    }

    if ((stream._duplexState & DESTROY_STATUS) === DESTROYING) {
      if ((stream._duplexState & ACTIVE_OR_TICKING) === 0) {
        stream._duplexState |= ACTIVE
        stream._destroy(afterDestroy.bind(this))
      }
      return
    }

    if ((stream._duplexState & IS_OPENING) === OPENING) {
      stream._duplexState = (stream._duplexState | ACTIVE) & NOT_OPENING
      stream._open(afterOpen.bind(this))
    }
  }

  continueUpdate() {
    if ((this.stream._duplexState & READ_NEXT_TICK) === 0) return false
    this.stream._duplexState &= READ_NOT_NEXT_TICK
    return true
  }

  updateCallback() {
    if ((this.stream._duplexState & READ_UPDATE_SYNC_STATUS) === READ_PRIMARY) {
      this.update()
    } else {
      this.updateNextTick()
    }
  }

  updateNextTickIfOpen() {
    if ((this.stream._duplexState & READ_NEXT_TICK_OR_OPENING) !== 0) return
    this.stream._duplexState |= READ_NEXT_TICK
    if ((this.stream._duplexState & READ_UPDATING) === 0) qmt(this.afterUpdateNextTick)
  }

  updateNextTick() {
    if ((this.stream._duplexState & READ_NEXT_TICK) !== 0) return
    this.stream._duplexState |= READ_NEXT_TICK
    if ((this.stream._duplexState & READ_UPDATING) === 0) qmt(this.afterUpdateNextTick)
  }
}

class TransformState {
  constructor(stream) {
    this.data = null
    this.afterTransform = afterTransform.bind(stream)
    this.afterFinal = null
  }
}

class Pipeline {
  constructor(src, dst, cb) {
    this.from = src
    this.to = dst
    this.afterPipe = cb
    this.error = null
    this.pipeToFinished = false
  }

  finished() {
    this.pipeToFinished = true
  }

  done(stream, err) {
    if (err) this.error = err

    if (stream === this.to) {
      this.to = null

      if (this.from !== null) {
        if ((this.from._duplexState & READ_DONE) === 0 || !this.pipeToFinished) {
          this.from.destroy(this.error || StreamError.PREMATURE_CLOSE('Writable stream closed'))
        }
        return
      }
    }

    if (stream === this.from) {
      this.from = null

      if (this.to !== null) {
        if ((stream._duplexState & READ_DONE) === 0) {
          this.to.destroy(this.error || StreamError.PREMATURE_CLOSE('Readable stream closed'))
        }
        return
      }
    }

    if (this.afterPipe !== null) this.afterPipe(this.error)
    this.to = this.from = this.afterPipe = null
  }
}

function afterDrain() {
  this.stream._duplexState |= READ_PIPE_DRAINED
  this.updateCallback()
}

function afterFinal(err) {
  const stream = this.stream
  if (err) stream.destroy(err)

  if ((stream._duplexState & DESTROY_STATUS) === 0) {
    stream._duplexState |= WRITE_DONE
    stream.emit('finish')
  }

  if ((stream._duplexState & AUTO_DESTROY) === DONE) {
    stream._duplexState |= DESTROYING
  }

  stream._duplexState &= WRITE_NOT_FINISHING

  // no need to wait the extra tick here, so we short circuit that
  if ((stream._duplexState & WRITE_UPDATING) === 0) {
    this.update()
  } else {
    this.updateNextTick()
  }
}

function afterDestroy(err) {
  const stream = this.stream

  if (!err && !StreamError.isStreamDestroyed(this.error)) err = this.error
  if (err) stream.emit('error', err)

  stream._duplexState |= DESTROYED
  stream.emit('close')

  const rs = stream._readableState
  const ws = stream._writableState

  if (rs !== null && rs.pipeline !== null) {
    rs.pipeline.done(stream, err)
  }

  if (ws !== null) {
    while (ws.drains !== null && ws.drains.length > 0) {
      ws.drains.shift().resolve(false)
    }

    if (ws.pipeline !== null) {
      ws.pipeline.done(stream, err)
    }
  }
}

function afterWrite(err) {
  const stream = this.stream

  if (err) stream.destroy(err)
  stream._duplexState &= WRITE_NOT_ACTIVE

  if (this.drains !== null) tickDrains(this.drains)

  if ((stream._duplexState & WRITE_DRAIN_STATUS) === WRITE_UNDRAINED) {
    stream._duplexState &= WRITE_DRAINED

    if ((stream._duplexState & WRITE_EMIT_DRAIN) === WRITE_EMIT_DRAIN) {
      stream.emit('drain')
    }
  }

  this.updateCallback()
}

function afterRead(err) {
  if (err) this.stream.destroy(err)
  this.stream._duplexState &= READ_NOT_ACTIVE

  if (this.readAhead === false && (this.stream._duplexState & READ_RESUMED) === 0) {
    this.stream._duplexState &= READ_NO_READ_AHEAD
  }

  this.updateCallback()
}

function updateReadNT() {
  if ((this.stream._duplexState & READ_UPDATING) === 0) {
    this.stream._duplexState &= READ_NOT_NEXT_TICK
    this.update()
  }
}

function updateWriteNT() {
  if ((this.stream._duplexState & WRITE_UPDATING) === 0) {
    this.stream._duplexState &= WRITE_NOT_NEXT_TICK
    this.update()
  }
}

function tickDrains(drains) {
  for (let i = 0; i < drains.length; i++) {
    // drains.writes are monotonic, so if one is 0 its always the first one
    if (--drains[i].writes === 0) {
      drains.shift().resolve(true)
      i--
    }
  }
}

function afterOpen(err) {
  const stream = this.stream

  if (err) stream.destroy(err)

  if ((stream._duplexState & DESTROYING) === 0) {
    if ((stream._duplexState & READ_PRIMARY_STATUS) === 0) {
      stream._duplexState |= READ_PRIMARY
    }

    if ((stream._duplexState & WRITE_PRIMARY_STATUS) === 0) {
      stream._duplexState |= WRITE_PRIMARY
    }

    stream.emit('open')
  }

  stream._duplexState &= NOT_ACTIVE

  if (stream._writableState !== null) {
    stream._writableState.updateCallback()
  }

  if (stream._readableState !== null) {
    stream._readableState.updateCallback()
  }
}

function afterTransform(err, data) {
  if (data !== undefined && data !== null) this.push(data)
  this._writableState.afterWrite(err)
}

function newListener(name) {
  if (this._readableState !== null) {
    if (name === 'data') {
      this._duplexState |= READ_EMIT_DATA | READ_RESUMED_READ_AHEAD
      this._readableState.updateNextTick()
    }
    if (name === 'readable') {
      this._duplexState |= READ_EMIT_READABLE
      this._readableState.updateNextTick()
    }
  }

  if (this._writableState !== null) {
    if (name === 'drain') {
      this._duplexState |= WRITE_EMIT_DRAIN
      this._writableState.updateNextTick()
    }
  }
}

class Stream extends EventEmitter {
  constructor(opts) {
    super()

    this._duplexState = 0
    this._readableState = null
    this._writableState = null

    if (opts) {
      if (opts.open) this._open = opts.open
      if (opts.destroy) this._destroy = opts.destroy
      if (opts.predestroy) this._predestroy = opts.predestroy
      if (opts.signal) opts.signal.addEventListener('abort', abort.bind(this))
    }

    this.on('newListener', newListener)
  }

  _open(cb) {
    cb(null)
  }

  _destroy(cb) {
    cb(null)
  }

  _predestroy() {
    // does nothing
  }

  get readable() {
    return this._readableState !== null ? true : undefined
  }

  get writable() {
    return this._writableState !== null ? true : undefined
  }

  get destroyed() {
    return (this._duplexState & DESTROYED) !== 0
  }

  get destroying() {
    return (this._duplexState & DESTROY_STATUS) !== 0
  }

  destroy(err) {
    if ((this._duplexState & DESTROY_STATUS) === 0) {
      if (!err) err = StreamError.STREAM_DESTROYED()
      this._duplexState = (this._duplexState | DESTROYING) & NON_PRIMARY

      if (this._readableState !== null) {
        this._readableState.highWaterMark = 0
        this._readableState.error = err
      }

      if (this._writableState !== null) {
        this._writableState.highWaterMark = 0
        this._writableState.error = err
      }

      this._duplexState |= PREDESTROYING
      this._predestroy()
      this._duplexState &= NOT_PREDESTROYING

      if (this._readableState !== null) {
        this._readableState.updateNextTick()
      }

      if (this._writableState !== null) {
        this._writableState.updateNextTick()
      }
    }
  }
}

class Readable extends Stream {
  constructor(opts) {
    super(opts)

    this._duplexState |= OPENING | WRITE_DONE | READ_READ_AHEAD
    this._readableState = new ReadableState(this, opts)

    if (opts) {
      if (this._readableState.readAhead === false) this._duplexState &= READ_NO_READ_AHEAD
      if (opts.read) this._read = opts.read
      if (opts.eagerOpen) this._readableState.updateNextTick()
      if (opts.encoding) this.setEncoding(opts.encoding)
    }
  }

  static deferred(fn, opts) {
    const out = new PassThrough(opts)

    fn()
      .then((src) => {
        if (src === null) return out.end()
        if (out.destroying) return
        pipeline(src, out, noop)
      })
      .catch((err) => out.destroy(err))

    return out
  }

  setEncoding(encoding) {
    const dec = new TextDecoder(encoding)
    const map = this._readableState.map || echo
    this._readableState.map = mapOrSkip
    return this

    function mapOrSkip(data) {
      const next = dec.push(data)
      return next === '' && (data.byteLength !== 0 || dec.remaining > 0) ? null : map(next)
    }
  }

  _read(cb) {
    cb(null)
  }

  pipe(dest, cb) {
    this._readableState.updateNextTick()
    this._readableState.pipe(dest, cb)
    return dest
  }

  read() {
    this._readableState.updateNextTick()
    return this._readableState.read()
  }

  push(data) {
    this._readableState.updateNextTickIfOpen()
    return this._readableState.push(data)
  }

  unshift(data) {
    this._readableState.updateNextTickIfOpen()
    return this._readableState.unshift(data)
  }

  resume() {
    this._duplexState |= READ_RESUMED_READ_AHEAD
    this._readableState.updateNextTick()
    return this
  }

  pause() {
    this._duplexState &=
      this._readableState.readAhead === false ? READ_PAUSED_NO_READ_AHEAD : READ_PAUSED
    return this
  }

  static _fromAsyncIterator(ite, opts) {
    let destroy

    const rs = new Readable({
      ...opts,
      read(cb) {
        ite.next().then(push).then(cb.bind(null, null)).catch(cb)
      },
      predestroy() {
        destroy = ite.return()
      },
      destroy(cb) {
        if (!destroy) return cb(null)
        destroy.then(cb.bind(null, null)).catch(cb)
      }
    })

    return rs

    function push(data) {
      if (data.done) rs.push(null)
      else rs.push(data.value)
    }
  }

  static from(data, opts) {
    if (isReadStreamx(data)) return data
    if (data[asyncIterator]) return this._fromAsyncIterator(data[asyncIterator](), opts)
    if (!Array.isArray(data)) data = data === undefined ? [] : [data]

    let i = 0
    return new Readable({
      ...opts,
      read(cb) {
        this.push(i === data.length ? null : data[i++])
        cb(null)
      }
    })
  }

  static isBackpressured(rs) {
    return (
      (rs._duplexState & READ_BACKPRESSURE_STATUS) !== 0 ||
      rs._readableState.buffered >= rs._readableState.highWaterMark
    )
  }

  static isPaused(rs) {
    return (rs._duplexState & READ_RESUMED) === 0
  }

  [asyncIterator]() {
    const stream = this

    let error = null
    let promiseResolve = null
    let promiseReject = null

    this.on('error', (err) => {
      error = err
    })
    this.on('readable', onreadable)
    this.on('close', onclose)

    return {
      [asyncIterator]() {
        return this
      },
      next() {
        return new Promise(function (resolve, reject) {
          promiseResolve = resolve
          promiseReject = reject
          const data = stream.read()
          if (data !== null) ondata(data)
          else if ((stream._duplexState & DESTROYED) !== 0) ondata(null)
        })
      },
      return() {
        return destroy(null)
      },
      throw(err) {
        return destroy(err)
      }
    }

    function onreadable() {
      if (promiseResolve !== null) ondata(stream.read())
    }

    function onclose() {
      if (promiseResolve !== null) ondata(null)
    }

    function ondata(data) {
      if (promiseReject === null) return
      if (error) {
        promiseReject(error)
      } else if (data === null && (stream._duplexState & READ_DONE) === 0) {
        promiseReject(StreamError.STREAM_DESTROYED())
      } else {
        promiseResolve({ value: data, done: data === null })
      }
      promiseReject = promiseResolve = null
    }

    function destroy(err) {
      stream.destroy(err)
      return new Promise((resolve, reject) => {
        if (stream._duplexState & DESTROYED) return resolve({ value: undefined, done: true })
        stream.once('close', function () {
          if (err) reject(err)
          else resolve({ value: undefined, done: true })
        })
      })
    }
  }
}

class Writable extends Stream {
  constructor(opts) {
    super(opts)

    this._duplexState |= OPENING | READ_DONE
    this._writableState = new WritableState(this, opts)

    if (opts) {
      if (opts.writev) this._writev = opts.writev
      if (opts.write) this._write = opts.write
      if (opts.final) this._final = opts.final
      if (opts.eagerOpen) this._writableState.updateNextTick()
    }
  }

  cork() {
    this._duplexState |= WRITE_CORKED
  }

  uncork() {
    this._duplexState &= WRITE_NOT_CORKED
    this._writableState.updateNextTick()
  }

  _writev(batch, cb) {
    cb(null)
  }

  _write(data, cb) {
    this._writableState.autoBatch(data, cb)
  }

  _final(cb) {
    cb(null)
  }

  static isBackpressured(ws) {
    return (ws._duplexState & WRITE_BACKPRESSURE_STATUS) !== 0
  }

  static drained(ws) {
    if (ws.destroyed) return Promise.resolve(false)

    const state = ws._writableState
    const pending = isWritev(ws) ? Math.min(1, state.queue.length) : state.queue.length
    const writes = pending + (ws._duplexState & WRITE_WRITING ? 1 : 0)
    if (writes === 0) return Promise.resolve(true)

    if (state.drains === null) state.drains = []
    return new Promise((resolve) => {
      state.drains.push({ writes, resolve })
    })
  }

  write(data) {
    this._writableState.updateNextTick()
    return this._writableState.push(data)
  }

  end(data) {
    this._writableState.updateNextTick()
    this._writableState.end(data)
    return this
  }
}

class Duplex extends Readable {
  // and Writable
  constructor(opts) {
    super(opts)

    this._duplexState = OPENING | (this._duplexState & READ_READ_AHEAD)
    this._writableState = new WritableState(this, opts)

    if (opts) {
      if (opts.writev) this._writev = opts.writev
      if (opts.write) this._write = opts.write
      if (opts.final) this._final = opts.final
    }
  }

  cork() {
    this._duplexState |= WRITE_CORKED
  }

  uncork() {
    this._duplexState &= WRITE_NOT_CORKED
    this._writableState.updateNextTick()
  }

  _writev(batch, cb) {
    cb(null)
  }

  _write(data, cb) {
    this._writableState.autoBatch(data, cb)
  }

  _final(cb) {
    cb(null)
  }

  write(data) {
    this._writableState.updateNextTick()
    return this._writableState.push(data)
  }

  end(data) {
    this._writableState.updateNextTick()
    this._writableState.end(data)
    return this
  }
}

class Transform extends Duplex {
  constructor(opts) {
    super(opts)
    this._transformState = new TransformState(this)

    if (opts) {
      if (opts.transform) this._transform = opts.transform
      if (opts.flush) this._flush = opts.flush
    }
  }

  _write(data, cb) {
    if (this._readableState.buffered >= this._readableState.highWaterMark) {
      this._transformState.data = data
    } else {
      this._transform(data, this._transformState.afterTransform)
    }
  }

  _read(cb) {
    if (this._transformState.data !== null) {
      const data = this._transformState.data
      this._transformState.data = null
      cb(null)
      this._transform(data, this._transformState.afterTransform)
    } else {
      cb(null)
    }
  }

  destroy(err) {
    super.destroy(err)
    if (this._transformState.data !== null) {
      this._transformState.data = null
      this._transformState.afterTransform()
    }
  }

  _transform(data, cb) {
    cb(null, data)
  }

  _flush(cb) {
    cb(null)
  }

  _final(cb) {
    this._transformState.afterFinal = cb
    this._flush(transformAfterFlush.bind(this))
  }
}

class PassThrough extends Transform {}

function transformAfterFlush(err, data) {
  const cb = this._transformState.afterFinal
  if (err) return cb(err)

  if (data !== null && data !== undefined) this.push(data)
  this.push(null)
  cb(null)
}

function pipelinePromise(...streams) {
  return new Promise((resolve, reject) => {
    return pipeline(...streams, (err) => {
      if (err) return reject(err)
      resolve()
    })
  })
}

function pipeline(stream, ...streams) {
  const all = Array.isArray(stream) ? [...stream, ...streams] : [stream, ...streams]
  const done = all.length && typeof all[all.length - 1] === 'function' ? all.pop() : null

  if (all.length < 2) throw StreamError.BAD_ARGUMENT('Pipeline requires at least 2 streams')

  let src = all[0]
  let dest = null
  let error = null

  for (let i = 1; i < all.length; i++) {
    dest = all[i]

    if (isStreamx(src)) {
      src.pipe(dest, onerror)
    } else {
      errorHandle(src, true, i > 1, onerror)
      src.pipe(dest)
    }

    src = dest
  }

  if (done) {
    let fin = false

    const autoDestroy =
      isStreamx(dest) || !!(dest._writableState && dest._writableState.autoDestroy)

    dest.on('error', (err) => {
      if (error === null) error = err
    })

    dest.on('finish', () => {
      fin = true
      if (!autoDestroy) done(error)
    })

    if (autoDestroy) {
      dest.on('close', () => done(error || (fin ? null : StreamError.PREMATURE_CLOSE())))
    }
  }

  return dest

  function errorHandle(s, rd, wr, onerror) {
    s.on('error', onerror)
    s.on('close', onclose)

    function onclose() {
      if (rd && s._readableState && !s._readableState.ended) {
        return onerror(StreamError.PREMATURE_CLOSE())
      }
      if (wr && s._writableState && !s._writableState.ended) {
        return onerror(StreamError.PREMATURE_CLOSE())
      }
    }
  }

  function onerror(err) {
    if (!err || error) return
    error = err

    for (const s of all) {
      s.destroy(err)
    }
  }
}

function echo(s) {
  return s
}

function isStream(stream) {
  return !!stream._readableState || !!stream._writableState
}

function isStreamx(stream) {
  return typeof stream._duplexState === 'number' && isStream(stream)
}

function isEnding(stream) {
  return !!stream._readableState && stream._readableState.ending
}

function isEnded(stream) {
  return !!stream._readableState && stream._readableState.ended
}

function isFinishing(stream) {
  return !!stream._writableState && stream._writableState.ending
}

function isFinished(stream) {
  return !!stream._writableState && stream._writableState.ended
}

function getStreamError(stream, opts = {}) {
  const err =
    (stream._readableState && stream._readableState.error) ||
    (stream._writableState && stream._writableState.error)

  // avoid implicit errors by default
  return !opts.all && StreamError.isStreamDestroyed(err) ? null : err
}

function isReadStreamx(stream) {
  return isStreamx(stream) && stream.readable
}

function isDisturbed(stream) {
  return (
    (stream._duplexState & OPENING) !== OPENING ||
    (stream._duplexState & DESTROYING) === DESTROYING ||
    (stream._duplexState & ACTIVE_OR_TICKING) !== 0
  )
}

function isTypedArray(data) {
  return typeof data === 'object' && data !== null && typeof data.byteLength === 'number'
}

function defaultByteLength(data) {
  return isTypedArray(data) ? data.byteLength : 1024
}

function noop() {}

function abort() {
  this.destroy(StreamError.ABORTED())
}

function isWritev(s) {
  return s._writev !== Writable.prototype._writev && s._writev !== Duplex.prototype._writev
}

module.exports = {
  pipeline,
  pipelinePromise,
  isStream,
  isStreamx,
  isEnding,
  isEnded,
  isFinishing,
  isFinished,
  isDisturbed,
  getStreamError,
  Stream,
  Writable,
  Readable,
  Duplex,
  Transform,
  // Export PassThrough for compatibility with Node.js core's stream module
  PassThrough
}


/***/ }),

/***/ 5657:
/***/ ((module) => {

module.exports = class StreamError extends Error {
  constructor(msg, code, fn = StreamError) {
    super(msg)

    this.code = code

    if (Error.captureStackTrace) {
      Error.captureStackTrace(this, fn)
    }
  }

  static isStreamDestroyed(err) {
    return err && err.code === 'STREAM_DESTROYED'
  }

  static isPrematureClose(err) {
    return err && err.code === 'PREMATURE_CLOSE'
  }

  static isAborted(err) {
    return err && err.code === 'ABORTED'
  }

  static isBadArgument(err) {
    return err && err.code === 'BAD_ARGUMENT'
  }

  get name() {
    return 'StreamError'
  }

  static STREAM_DESTROYED() {
    return new StreamError('Stream was destroyed', 'STREAM_DESTROYED', StreamError.STREAM_DESTROYED)
  }

  static PREMATURE_CLOSE(msg = 'Premature close') {
    return new StreamError(msg, 'PREMATURE_CLOSE', StreamError.PREMATURE_CLOSE)
  }

  static ABORTED() {
    return new StreamError('Stream aborted', 'ABORTED', StreamError.ABORTED)
  }

  static BAD_ARGUMENT(msg = 'Bad argument') {
    return new StreamError(msg, 'BAD_ARGUMENT', StreamError.BAD_ARGUMENT)
  }
}


/***/ }),

/***/ 775:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const constants = { // just for envs without fs
  S_IFMT: 61440,
  S_IFDIR: 16384,
  S_IFCHR: 8192,
  S_IFBLK: 24576,
  S_IFIFO: 4096,
  S_IFLNK: 40960
}

try {
  module.exports = (__nccwpck_require__(9896).constants) || constants
} catch {
  module.exports = constants
}


/***/ }),

/***/ 5763:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const { Writable, Readable, getStreamError } = __nccwpck_require__(6204)
const FIFO = __nccwpck_require__(3867)
const b4a = __nccwpck_require__(3057)
const headers = __nccwpck_require__(8428)

const EMPTY = b4a.alloc(0)
const MAX_HEADER_SIZE = 4 * 1024 * 1024 // arbitrary big number

class BufferList {
  constructor () {
    this.buffered = 0
    this.shifted = 0
    this.queue = new FIFO()

    this._offset = 0
  }

  push (buffer) {
    this.buffered += buffer.byteLength
    this.queue.push(buffer)
  }

  shiftFirst (size) {
    return this.buffered === 0 ? null : this._next(size)
  }

  shift (size) {
    if (size > this.buffered) return null
    if (size === 0) return EMPTY

    let chunk = this._next(size)

    if (size === chunk.byteLength) return chunk // likely case

    const chunks = [chunk]

    while ((size -= chunk.byteLength) > 0) {
      chunk = this._next(size)
      chunks.push(chunk)
    }

    return b4a.concat(chunks)
  }

  _next (size) {
    const buf = this.queue.peek()
    const rem = buf.byteLength - this._offset

    if (size >= rem) {
      const sub = this._offset ? buf.subarray(this._offset, buf.byteLength) : buf
      this.queue.shift()
      this._offset = 0
      this.buffered -= rem
      this.shifted += rem
      return sub
    }

    this.buffered -= size
    this.shifted += size

    return buf.subarray(this._offset, (this._offset += size))
  }
}

class Source extends Readable {
  constructor (self, header, offset) {
    super()

    this.header = header
    this.offset = offset

    this._parent = self
  }

  _read (cb) {
    if (this.header.size === 0) {
      this.push(null)
    }
    if (this._parent._stream === this) {
      this._parent._update()
    }
    cb(null)
  }

  _predestroy () {
    this._parent.destroy(getStreamError(this))
  }

  _detach () {
    if (this._parent._stream === this) {
      this._parent._stream = null
      this._parent._missing = overflow(this.header.size)
      this._parent._update()
    }
  }

  _destroy (cb) {
    this._detach()
    cb(null)
  }
}

class Extract extends Writable {
  constructor (opts) {
    super(opts)

    if (!opts) opts = {}

    this._buffer = new BufferList()
    this._offset = 0
    this._header = null
    this._stream = null
    this._missing = 0
    this._longHeader = false
    this._callback = noop
    this._locked = false
    this._finished = false
    this._pax = null
    this._paxGlobal = null
    this._gnuLongPath = null
    this._gnuLongLinkPath = null
    this._filenameEncoding = opts.filenameEncoding || 'utf-8'
    this._allowUnknownFormat = !!opts.allowUnknownFormat
    this._unlockBound = this._unlock.bind(this)
  }

  _unlock (err) {
    this._locked = false

    if (err) {
      this.destroy(err)
      this._continueWrite(err)
      return
    }

    this._update()
  }

  _consumeHeader () {
    if (this._locked) return false

    this._offset = this._buffer.shifted

    try {
      this._header = headers.decode(this._buffer.shift(512), this._filenameEncoding, this._allowUnknownFormat)
    } catch (err) {
      this._continueWrite(err)
      return false
    }

    if (!this._header) return true

    this._header.byteOffset = this._buffer.shifted

    switch (this._header.type) {
      case 'gnu-long-path':
      case 'gnu-long-link-path':
      case 'pax-global-header':
      case 'pax-header':
        this._longHeader = true
        this._missing = this._header.size
        if (this._missing > MAX_HEADER_SIZE) {
          this._continueWrite(new Error('Header exceeds max size'))
          return false
        }
        return true
    }

    this._locked = true
    this._applyLongHeaders()

    if (!(this._header.size >= 0)) {
      this._continueWrite(new Error('Invalid header'))
      return false
    }

    if (this._header.size === 0 || this._header.type === 'directory') {
      this.emit('entry', this._header, this._createStream(), this._unlockBound)
      return true
    }

    this._stream = this._createStream()
    this._missing = this._header.size

    this.emit('entry', this._header, this._stream, this._unlockBound)
    return true
  }

  _applyLongHeaders () {
    if (this._gnuLongPath) {
      this._header.name = this._gnuLongPath
      this._gnuLongPath = null
    }

    if (this._gnuLongLinkPath) {
      this._header.linkname = this._gnuLongLinkPath
      this._gnuLongLinkPath = null
    }

    if (this._pax) {
      if (this._pax.path) this._header.name = this._pax.path
      if (this._pax.linkpath) this._header.linkname = this._pax.linkpath
      if (this._pax.size) this._header.size = parseInt(this._pax.size, 10)
      this._header.pax = this._pax
      this._pax = null
    }
  }

  _decodeLongHeader (buf) {
    switch (this._header.type) {
      case 'gnu-long-path':
        this._gnuLongPath = headers.decodeLongPath(buf, this._filenameEncoding)
        break
      case 'gnu-long-link-path':
        this._gnuLongLinkPath = headers.decodeLongPath(buf, this._filenameEncoding)
        break
      case 'pax-global-header':
        this._paxGlobal = headers.decodePax(buf)
        break
      case 'pax-header':
        this._pax = this._paxGlobal === null
          ? headers.decodePax(buf)
          : Object.assign({}, this._paxGlobal, headers.decodePax(buf))
        break
    }
  }

  _consumeLongHeader () {
    this._longHeader = false
    this._missing = overflow(this._header.size)

    const buf = this._buffer.shift(this._header.size)

    try {
      this._decodeLongHeader(buf)
    } catch (err) {
      this._continueWrite(err)
      return false
    }

    return true
  }

  _consumeStream () {
    const buf = this._buffer.shiftFirst(this._missing)
    if (buf === null) return false

    this._missing -= buf.byteLength
    const drained = this._stream.push(buf)

    if (this._missing === 0) {
      this._stream.push(null)
      if (drained) this._stream._detach()
      return drained && this._locked === false
    }

    return drained
  }

  _createStream () {
    return new Source(this, this._header, this._offset)
  }

  _update () {
    while (this._buffer.buffered > 0 && !this.destroying) {
      if (this._missing > 0) {
        if (this._stream !== null) {
          if (this._consumeStream() === false) return
          continue
        }

        if (this._longHeader === true) {
          if (this._missing > this._buffer.buffered) break
          if (this._consumeLongHeader() === false) return false
          continue
        }

        const ignore = this._buffer.shiftFirst(this._missing)
        if (ignore !== null) this._missing -= ignore.byteLength
        continue
      }

      if (this._buffer.buffered < 512) break
      if (this._stream !== null || this._consumeHeader() === false) return
    }

    this._continueWrite(null)
  }

  _continueWrite (err) {
    const cb = this._callback
    this._callback = noop
    cb(err)
  }

  _write (data, cb) {
    this._callback = cb
    this._buffer.push(data)
    this._update()
  }

  _final (cb) {
    this._finished = this._missing === 0 && this._buffer.buffered === 0
    cb(this._finished ? null : new Error('Unexpected end of data'))
  }

  _predestroy () {
    this._continueWrite(null)
  }

  _destroy (cb) {
    if (this._stream) this._stream.destroy(getStreamError(this))
    cb(null)
  }

  [Symbol.asyncIterator] () {
    let error = null

    let promiseResolve = null
    let promiseReject = null

    let entryStream = null
    let entryCallback = null

    const extract = this

    this.on('entry', onentry)
    this.on('error', (err) => { error = err })
    this.on('close', onclose)

    return {
      [Symbol.asyncIterator] () {
        return this
      },
      next () {
        return new Promise(onnext)
      },
      return () {
        return destroy(null)
      },
      throw (err) {
        return destroy(err)
      }
    }

    function consumeCallback (err) {
      if (!entryCallback) return
      const cb = entryCallback
      entryCallback = null
      cb(err)
    }

    function onnext (resolve, reject) {
      if (error) {
        return reject(error)
      }

      if (entryStream) {
        resolve({ value: entryStream, done: false })
        entryStream = null
        return
      }

      promiseResolve = resolve
      promiseReject = reject

      consumeCallback(null)

      if (extract._finished && promiseResolve) {
        promiseResolve({ value: undefined, done: true })
        promiseResolve = promiseReject = null
      }
    }

    function onentry (header, stream, callback) {
      entryCallback = callback
      stream.on('error', noop) // no way around this due to tick sillyness

      if (promiseResolve) {
        promiseResolve({ value: stream, done: false })
        promiseResolve = promiseReject = null
      } else {
        entryStream = stream
      }
    }

    function onclose () {
      consumeCallback(error)
      if (!promiseResolve) return
      if (error) promiseReject(error)
      else promiseResolve({ value: undefined, done: true })
      promiseResolve = promiseReject = null
    }

    function destroy (err) {
      extract.destroy(err)
      consumeCallback(err)
      return new Promise((resolve, reject) => {
        if (extract.destroyed) return resolve({ value: undefined, done: true })
        extract.once('close', function () {
          if (err) reject(err)
          else resolve({ value: undefined, done: true })
        })
      })
    }
  }
}

module.exports = function extract (opts) {
  return new Extract(opts)
}

function noop () {}

function overflow (size) {
  size &= 511
  return size && 512 - size
}


/***/ }),

/***/ 8428:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

const b4a = __nccwpck_require__(3057)

const ZEROS = '0000000000000000000'
const SEVENS = '7777777777777777777'
const ZERO_OFFSET = '0'.charCodeAt(0)
const USTAR_MAGIC = b4a.from([0x75, 0x73, 0x74, 0x61, 0x72, 0x00]) // ustar\x00
const USTAR_VER = b4a.from([ZERO_OFFSET, ZERO_OFFSET])
const GNU_MAGIC = b4a.from([0x75, 0x73, 0x74, 0x61, 0x72, 0x20]) // ustar\x20
const GNU_VER = b4a.from([0x20, 0x00])
const MASK = 0o7777
const MAGIC_OFFSET = 257
const VERSION_OFFSET = 263

exports.decodeLongPath = function decodeLongPath (buf, encoding) {
  return decodeStr(buf, 0, buf.length, encoding)
}

exports.encodePax = function encodePax (opts) { // TODO: encode more stuff in pax
  let result = ''
  if (opts.name) result += addLength(' path=' + opts.name + '\n')
  if (opts.linkname) result += addLength(' linkpath=' + opts.linkname + '\n')
  const pax = opts.pax
  if (pax) {
    for (const key in pax) {
      result += addLength(' ' + key + '=' + pax[key] + '\n')
    }
  }
  return b4a.from(result)
}

exports.decodePax = function decodePax (buf) {
  const result = {}

  while (buf.length) {
    let i = 0
    while (i < buf.length && buf[i] !== 32) i++
    const len = parseInt(b4a.toString(buf.subarray(0, i)), 10)
    if (!len) return result

    const b = b4a.toString(buf.subarray(i + 1, len - 1))
    const keyIndex = b.indexOf('=')
    if (keyIndex === -1) return result
    result[b.slice(0, keyIndex)] = b.slice(keyIndex + 1)

    buf = buf.subarray(len)
  }

  return result
}

exports.encode = function encode (opts) {
  const buf = b4a.alloc(512)
  let name = opts.name
  let prefix = ''

  if (opts.typeflag === 5 && name[name.length - 1] !== '/') name += '/'
  if (b4a.byteLength(name) !== name.length) return null // utf-8

  while (b4a.byteLength(name) > 100) {
    const i = name.indexOf('/')
    if (i === -1) return null
    prefix += prefix ? '/' + name.slice(0, i) : name.slice(0, i)
    name = name.slice(i + 1)
  }

  if (b4a.byteLength(name) > 100 || b4a.byteLength(prefix) > 155) return null
  if (opts.linkname && b4a.byteLength(opts.linkname) > 100) return null

  b4a.write(buf, name)
  b4a.write(buf, encodeOct(opts.mode & MASK, 6), 100)
  b4a.write(buf, encodeOct(opts.uid, 6), 108)
  b4a.write(buf, encodeOct(opts.gid, 6), 116)
  encodeSize(opts.size, buf, 124)
  b4a.write(buf, encodeOct((opts.mtime.getTime() / 1000) | 0, 11), 136)

  buf[156] = ZERO_OFFSET + toTypeflag(opts.type)

  if (opts.linkname) b4a.write(buf, opts.linkname, 157)

  b4a.copy(USTAR_MAGIC, buf, MAGIC_OFFSET)
  b4a.copy(USTAR_VER, buf, VERSION_OFFSET)
  if (opts.uname) b4a.write(buf, opts.uname, 265)
  if (opts.gname) b4a.write(buf, opts.gname, 297)
  b4a.write(buf, encodeOct(opts.devmajor || 0, 6), 329)
  b4a.write(buf, encodeOct(opts.devminor || 0, 6), 337)

  if (prefix) b4a.write(buf, prefix, 345)

  b4a.write(buf, encodeOct(cksum(buf), 6), 148)

  return buf
}

exports.decode = function decode (buf, filenameEncoding, allowUnknownFormat) {
  let typeflag = buf[156] === 0 ? 0 : buf[156] - ZERO_OFFSET

  let name = decodeStr(buf, 0, 100, filenameEncoding)
  const mode = decodeOct(buf, 100, 8)
  const uid = decodeOct(buf, 108, 8)
  const gid = decodeOct(buf, 116, 8)
  const size = decodeOct(buf, 124, 12)
  const mtime = decodeOct(buf, 136, 12)
  const type = toType(typeflag)
  const linkname = buf[157] === 0 ? null : decodeStr(buf, 157, 100, filenameEncoding)
  const uname = decodeStr(buf, 265, 32)
  const gname = decodeStr(buf, 297, 32)
  const devmajor = decodeOct(buf, 329, 8)
  const devminor = decodeOct(buf, 337, 8)

  const c = cksum(buf)

  // checksum is still initial value if header was null.
  if (c === 8 * 32) return null

  // valid checksum
  if (c !== decodeOct(buf, 148, 8)) throw new Error('Invalid tar header. Maybe the tar is corrupted or it needs to be gunzipped?')

  if (isUSTAR(buf)) {
    // ustar (posix) format.
    // prepend prefix, if present.
    if (buf[345]) name = decodeStr(buf, 345, 155, filenameEncoding) + '/' + name
  } else if (isGNU(buf)) {
    // 'gnu'/'oldgnu' format. Similar to ustar, but has support for incremental and
    // multi-volume tarballs.
  } else {
    if (!allowUnknownFormat) {
      throw new Error('Invalid tar header: unknown format.')
    }
  }

  // to support old tar versions that use trailing / to indicate dirs
  if (typeflag === 0 && name && name[name.length - 1] === '/') typeflag = 5

  return {
    name,
    mode,
    uid,
    gid,
    size,
    byteOffset: 0,
    mtime: new Date(1000 * mtime),
    type,
    linkname,
    uname,
    gname,
    devmajor,
    devminor,
    pax: null
  }
}

function isUSTAR (buf) {
  return b4a.equals(USTAR_MAGIC, buf.subarray(MAGIC_OFFSET, MAGIC_OFFSET + 6))
}

function isGNU (buf) {
  return b4a.equals(GNU_MAGIC, buf.subarray(MAGIC_OFFSET, MAGIC_OFFSET + 6)) &&
    b4a.equals(GNU_VER, buf.subarray(VERSION_OFFSET, VERSION_OFFSET + 2))
}

function clamp (index, len, defaultValue) {
  if (typeof index !== 'number') return defaultValue
  index = ~~index // Coerce to integer.
  if (index >= len) return len
  if (index >= 0) return index
  index += len
  if (index >= 0) return index
  return 0
}

function toType (flag) {
  switch (flag) {
    case 0:
      return 'file'
    case 1:
      return 'link'
    case 2:
      return 'symlink'
    case 3:
      return 'character-device'
    case 4:
      return 'block-device'
    case 5:
      return 'directory'
    case 6:
      return 'fifo'
    case 7:
      return 'contiguous-file'
    case 72:
      return 'pax-header'
    case 55:
      return 'pax-global-header'
    case 27:
      return 'gnu-long-link-path'
    case 28:
    case 30:
      return 'gnu-long-path'
  }

  return null
}

function toTypeflag (flag) {
  switch (flag) {
    case 'file':
      return 0
    case 'link':
      return 1
    case 'symlink':
      return 2
    case 'character-device':
      return 3
    case 'block-device':
      return 4
    case 'directory':
      return 5
    case 'fifo':
      return 6
    case 'contiguous-file':
      return 7
    case 'pax-header':
      return 72
  }

  return 0
}

function indexOf (block, num, offset, end) {
  for (; offset < end; offset++) {
    if (block[offset] === num) return offset
  }
  return end
}

function cksum (block) {
  let sum = 8 * 32
  for (let i = 0; i < 148; i++) sum += block[i]
  for (let j = 156; j < 512; j++) sum += block[j]
  return sum
}

function encodeOct (val, n) {
  val = val.toString(8)
  if (val.length > n) return SEVENS.slice(0, n) + ' '
  return ZEROS.slice(0, n - val.length) + val + ' '
}

function encodeSizeBin (num, buf, off) {
  buf[off] = 0x80
  for (let i = 11; i > 0; i--) {
    buf[off + i] = num & 0xff
    num = Math.floor(num / 0x100)
  }
}

function encodeSize (num, buf, off) {
  if (num.toString(8).length > 11) {
    encodeSizeBin(num, buf, off)
  } else {
    b4a.write(buf, encodeOct(num, 11), off)
  }
}

/* Copied from the node-tar repo and modified to meet
 * tar-stream coding standard.
 *
 * Source: https://github.com/npm/node-tar/blob/51b6627a1f357d2eb433e7378e5f05e83b7aa6cd/lib/header.js#L349
 */
function parse256 (buf) {
  // first byte MUST be either 80 or FF
  // 80 for positive, FF for 2's comp
  let positive
  if (buf[0] === 0x80) positive = true
  else if (buf[0] === 0xFF) positive = false
  else return null

  // build up a base-256 tuple from the least sig to the highest
  const tuple = []
  let i
  for (i = buf.length - 1; i > 0; i--) {
    const byte = buf[i]
    if (positive) tuple.push(byte)
    else tuple.push(0xFF - byte)
  }

  let sum = 0
  const l = tuple.length
  for (i = 0; i < l; i++) {
    sum += tuple[i] * Math.pow(256, i)
  }

  return positive ? sum : -1 * sum
}

function decodeOct (val, offset, length) {
  val = val.subarray(offset, offset + length)
  offset = 0

  // If prefixed with 0x80 then parse as a base-256 integer
  if (val[offset] & 0x80) {
    return parse256(val)
  } else {
    // Older versions of tar can prefix with spaces
    while (offset < val.length && val[offset] === 32) offset++
    const end = clamp(indexOf(val, 32, offset, val.length), val.length, val.length)
    while (offset < end && val[offset] === 0) offset++
    if (end === offset) return 0
    return parseInt(b4a.toString(val.subarray(offset, end)), 8)
  }
}

function decodeStr (val, offset, length, encoding) {
  return b4a.toString(val.subarray(offset, indexOf(val, 0, offset, offset + length)), encoding)
}

function addLength (str) {
  const len = b4a.byteLength(str)
  let digits = Math.floor(Math.log(len) / Math.log(10)) + 1
  if (len + digits >= Math.pow(10, digits)) digits++

  return (len + digits) + str
}


/***/ }),

/***/ 6118:
/***/ ((__unused_webpack_module, exports, __nccwpck_require__) => {

exports.extract = __nccwpck_require__(5763)
/* unused reexport */ __nccwpck_require__(861)


/***/ }),

/***/ 861:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const { Readable, Writable, getStreamError } = __nccwpck_require__(6204)
const b4a = __nccwpck_require__(3057)

const constants = __nccwpck_require__(775)
const headers = __nccwpck_require__(8428)

const DMODE = 0o755
const FMODE = 0o644

const END_OF_TAR = b4a.alloc(1024)

class Sink extends Writable {
  constructor (pack, header, callback) {
    super({ mapWritable, eagerOpen: true })

    this.written = 0
    this.header = header

    this._callback = callback
    this._linkname = null
    this._isLinkname = header.type === 'symlink' && !header.linkname
    this._isVoid = header.type !== 'file' && header.type !== 'contiguous-file'
    this._finished = false
    this._pack = pack
    this._openCallback = null

    if (this._pack._stream === null) this._pack._stream = this
    else this._pack._pending.push(this)
  }

  _open (cb) {
    this._openCallback = cb
    if (this._pack._stream === this) this._continueOpen()
  }

  _continuePack (err) {
    if (this._callback === null) return

    const callback = this._callback
    this._callback = null

    callback(err)
  }

  _continueOpen () {
    if (this._pack._stream === null) this._pack._stream = this

    const cb = this._openCallback
    this._openCallback = null
    if (cb === null) return

    if (this._pack.destroying) return cb(new Error('pack stream destroyed'))
    if (this._pack._finalized) return cb(new Error('pack stream is already finalized'))

    this._pack._stream = this

    if (!this._isLinkname) {
      this._pack._encode(this.header)
    }

    if (this._isVoid) {
      this._finish()
      this._continuePack(null)
    }

    cb(null)
  }

  _write (data, cb) {
    if (this._isLinkname) {
      this._linkname = this._linkname ? b4a.concat([this._linkname, data]) : data
      return cb(null)
    }

    if (this._isVoid) {
      if (data.byteLength > 0) {
        return cb(new Error('No body allowed for this entry'))
      }
      return cb()
    }

    this.written += data.byteLength
    if (this._pack.push(data)) return cb()
    this._pack._drain = cb
  }

  _finish () {
    if (this._finished) return
    this._finished = true

    if (this._isLinkname) {
      this.header.linkname = this._linkname ? b4a.toString(this._linkname, 'utf-8') : ''
      this._pack._encode(this.header)
    }

    overflow(this._pack, this.header.size)

    this._pack._done(this)
  }

  _final (cb) {
    if (this.written !== this.header.size) { // corrupting tar
      return cb(new Error('Size mismatch'))
    }

    this._finish()
    cb(null)
  }

  _getError () {
    return getStreamError(this) || new Error('tar entry destroyed')
  }

  _predestroy () {
    this._pack.destroy(this._getError())
  }

  _destroy (cb) {
    this._pack._done(this)

    this._continuePack(this._finished ? null : this._getError())

    cb()
  }
}

class Pack extends Readable {
  constructor (opts) {
    super(opts)
    this._drain = noop
    this._finalized = false
    this._finalizing = false
    this._pending = []
    this._stream = null
  }

  entry (header, buffer, callback) {
    if (this._finalized || this.destroying) throw new Error('already finalized or destroyed')

    if (typeof buffer === 'function') {
      callback = buffer
      buffer = null
    }

    if (!callback) callback = noop

    if (!header.size || header.type === 'symlink') header.size = 0
    if (!header.type) header.type = modeToType(header.mode)
    if (!header.mode) header.mode = header.type === 'directory' ? DMODE : FMODE
    if (!header.uid) header.uid = 0
    if (!header.gid) header.gid = 0
    if (!header.mtime) header.mtime = new Date()

    if (typeof buffer === 'string') buffer = b4a.from(buffer)

    const sink = new Sink(this, header, callback)

    if (b4a.isBuffer(buffer)) {
      header.size = buffer.byteLength
      sink.write(buffer)
      sink.end()
      return sink
    }

    if (sink._isVoid) {
      return sink
    }

    return sink
  }

  finalize () {
    if (this._stream || this._pending.length > 0) {
      this._finalizing = true
      return
    }

    if (this._finalized) return
    this._finalized = true

    this.push(END_OF_TAR)
    this.push(null)
  }

  _done (stream) {
    if (stream !== this._stream) return

    this._stream = null

    if (this._finalizing) this.finalize()
    if (this._pending.length) this._pending.shift()._continueOpen()
  }

  _encode (header) {
    if (!header.pax) {
      const buf = headers.encode(header)
      if (buf) {
        this.push(buf)
        return
      }
    }
    this._encodePax(header)
  }

  _encodePax (header) {
    const paxHeader = headers.encodePax({
      name: header.name,
      linkname: header.linkname,
      pax: header.pax
    })

    const newHeader = {
      name: 'PaxHeader',
      mode: header.mode,
      uid: header.uid,
      gid: header.gid,
      size: paxHeader.byteLength,
      mtime: header.mtime,
      type: 'pax-header',
      linkname: header.linkname && 'PaxHeader',
      uname: header.uname,
      gname: header.gname,
      devmajor: header.devmajor,
      devminor: header.devminor
    }

    this.push(headers.encode(newHeader))
    this.push(paxHeader)
    overflow(this, paxHeader.byteLength)

    newHeader.size = header.size
    newHeader.type = header.type
    this.push(headers.encode(newHeader))
  }

  _doDrain () {
    const drain = this._drain
    this._drain = noop
    drain()
  }

  _predestroy () {
    const err = getStreamError(this)

    if (this._stream) this._stream.destroy(err)

    while (this._pending.length) {
      const stream = this._pending.shift()
      stream.destroy(err)
      stream._continueOpen()
    }

    this._doDrain()
  }

  _read (cb) {
    this._doDrain()
    cb()
  }
}

module.exports = function pack (opts) {
  return new Pack(opts)
}

function modeToType (mode) {
  switch (mode & constants.S_IFMT) {
    case constants.S_IFBLK: return 'block-device'
    case constants.S_IFCHR: return 'character-device'
    case constants.S_IFDIR: return 'directory'
    case constants.S_IFIFO: return 'fifo'
    case constants.S_IFLNK: return 'symlink'
  }

  return 'file'
}

function noop () {}

function overflow (self, size) {
  size &= 511
  if (size) self.push(END_OF_TAR.subarray(0, 512 - size))
}

function mapWritable (buf) {
  return b4a.isBuffer(buf) ? buf : b4a.from(buf)
}


/***/ }),

/***/ 7934:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const PassThroughDecoder = __nccwpck_require__(7256)
const UTF8Decoder = __nccwpck_require__(6414)

module.exports = class TextDecoder {
  constructor(encoding = 'utf8') {
    this.encoding = normalizeEncoding(encoding)

    switch (this.encoding) {
      case 'utf8':
        this.decoder = new UTF8Decoder()
        break
      case 'utf16le':
      case 'base64':
        throw new Error('Unsupported encoding: ' + this.encoding)
      default:
        this.decoder = new PassThroughDecoder(this.encoding)
    }
  }

  get remaining() {
    return this.decoder.remaining
  }

  push(data) {
    if (typeof data === 'string') return data
    return this.decoder.decode(data)
  }

  // For Node.js compatibility
  write(data) {
    return this.push(data)
  }

  end(data) {
    let result = ''
    if (data) result = this.push(data)
    result += this.decoder.flush()
    return result
  }
}

function normalizeEncoding(encoding) {
  encoding = encoding.toLowerCase()

  switch (encoding) {
    case 'utf8':
    case 'utf-8':
      return 'utf8'
    case 'ucs2':
    case 'ucs-2':
    case 'utf16le':
    case 'utf-16le':
      return 'utf16le'
    case 'latin1':
    case 'binary':
      return 'latin1'
    case 'base64':
    case 'ascii':
    case 'hex':
      return encoding
    default:
      throw new Error('Unknown encoding: ' + encoding)
  }
}


/***/ }),

/***/ 7256:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const b4a = __nccwpck_require__(3057)

module.exports = class PassThroughDecoder {
  constructor(encoding) {
    this.encoding = encoding
  }

  get remaining() {
    return 0
  }

  decode(data) {
    return b4a.toString(data, this.encoding)
  }

  flush() {
    return ''
  }
}


/***/ }),

/***/ 6414:
/***/ ((module, __unused_webpack_exports, __nccwpck_require__) => {

const b4a = __nccwpck_require__(3057)

/**
 * https://encoding.spec.whatwg.org/#utf-8-decoder
 */
module.exports = class UTF8Decoder {
  constructor() {
    this._reset()
  }

  get remaining() {
    return this.bytesSeen
  }

  decode(data) {
    if (data.byteLength === 0) return ''

    if (this.bytesNeeded === 0 && trailingIncomplete(data, 0) === 0) {
      this.bytesSeen = trailingBytesSeen(data)
      return b4a.toString(data, 'utf8')
    }

    let result = ''
    let start = 0

    if (this.bytesNeeded > 0) {
      while (start < data.byteLength) {
        const byte = data[start]

        if (byte < this.lowerBoundary || byte > this.upperBoundary) {
          result += '\ufffd'
          this._reset()
          break
        }

        this.lowerBoundary = 0x80
        this.upperBoundary = 0xbf
        this.codePoint = (this.codePoint << 6) | (byte & 0x3f)
        this.bytesSeen++
        start++

        if (this.bytesSeen === this.bytesNeeded) {
          result += String.fromCodePoint(this.codePoint)
          this._reset()
          break
        }
      }

      if (this.bytesNeeded > 0) return result
    }

    const trailing = trailingIncomplete(data, start)
    const end = data.byteLength - trailing

    if (end > start) result += b4a.toString(data, 'utf8', start, end)

    for (let i = end; i < data.byteLength; i++) {
      const byte = data[i]

      if (this.bytesNeeded === 0) {
        if (byte <= 0x7f) {
          this.bytesSeen = 0
          result += String.fromCharCode(byte)
        } else if (byte >= 0xc2 && byte <= 0xdf) {
          this.bytesNeeded = 2
          this.bytesSeen = 1
          this.codePoint = byte & 0x1f
        } else if (byte >= 0xe0 && byte <= 0xef) {
          if (byte === 0xe0) this.lowerBoundary = 0xa0
          else if (byte === 0xed) this.upperBoundary = 0x9f
          this.bytesNeeded = 3
          this.bytesSeen = 1
          this.codePoint = byte & 0xf
        } else if (byte >= 0xf0 && byte <= 0xf4) {
          if (byte === 0xf0) this.lowerBoundary = 0x90
          else if (byte === 0xf4) this.upperBoundary = 0x8f
          this.bytesNeeded = 4
          this.bytesSeen = 1
          this.codePoint = byte & 0x7
        } else {
          this.bytesSeen = 1
          result += '\ufffd'
        }

        continue
      }

      if (byte < this.lowerBoundary || byte > this.upperBoundary) {
        result += '\ufffd'
        i--
        this._reset()

        continue
      }

      this.lowerBoundary = 0x80
      this.upperBoundary = 0xbf

      this.codePoint = (this.codePoint << 6) | (byte & 0x3f)
      this.bytesSeen++

      if (this.bytesSeen === this.bytesNeeded) {
        result += String.fromCodePoint(this.codePoint)
        this._reset()
      }
    }

    return result
  }

  flush() {
    const result = this.bytesNeeded > 0 ? '\ufffd' : ''
    this._reset()
    return result
  }

  _reset() {
    this.codePoint = 0
    this.bytesNeeded = 0
    this.bytesSeen = 0
    this.lowerBoundary = 0x80
    this.upperBoundary = 0xbf
  }
}

function trailingIncomplete(data, start) {
  const len = data.byteLength
  if (len <= start) return 0

  const limit = Math.max(start, len - 4)

  let i = len - 1
  while (i > limit && (data[i] & 0xc0) === 0x80) i--

  if (i < start) return 0

  const byte = data[i]

  let needed
  if (byte <= 0x7f) return 0
  if (byte >= 0xc2 && byte <= 0xdf) needed = 2
  else if (byte >= 0xe0 && byte <= 0xef) needed = 3
  else if (byte >= 0xf0 && byte <= 0xf4) needed = 4
  else return 0

  const available = len - i
  return available < needed ? available : 0
}

function trailingBytesSeen(data) {
  const len = data.byteLength
  if (len === 0) return 0

  const last = data[len - 1]

  if (last <= 0x7f) return 0
  if ((last & 0xc0) !== 0x80) return 1

  const limit = Math.max(0, len - 4)

  let i = len - 2
  while (i >= limit && (data[i] & 0xc0) === 0x80) i--

  if (i < 0) return 1

  const first = data[i]

  let needed
  if (first >= 0xc2 && first <= 0xdf) needed = 2
  else if (first >= 0xe0 && first <= 0xef) needed = 3
  else if (first >= 0xf0 && first <= 0xf4) needed = 4
  else return 1

  if (len - i !== needed) return 1

  if (needed >= 3) {
    const second = data[i + 1]
    if (first === 0xe0 && second < 0xa0) return 1
    if (first === 0xed && second > 0x9f) return 1
    if (first === 0xf0 && second < 0x90) return 1
    if (first === 0xf4 && second > 0x8f) return 1
  }

  return 0
}


/***/ }),

/***/ 9407:
/***/ ((module, __unused_webpack___webpack_exports__, __nccwpck_require__) => {

__nccwpck_require__.a(module, async (__webpack_handle_async_dependencies__, __webpack_async_result__) => { try {
/* harmony import */ var _main_js__WEBPACK_IMPORTED_MODULE_0__ = __nccwpck_require__(2419);

await (0,_main_js__WEBPACK_IMPORTED_MODULE_0__/* .run */ .e)();

__webpack_async_result__();
} catch(e) { __webpack_async_result__(e); } }, 1);

/***/ }),

/***/ 2419:
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
    issueCommand('notice', toCommandProperties(properties), message instanceof Error ? message.toString() : message);
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
    const core = await __nccwpck_require__.e(/* import() */ 216).then(__nccwpck_require__.bind(__nccwpck_require__, 8216));
    return core.getIDToken(audience);
}
/** Starts loading what getIDToken needs, so it overlaps with other start-up work. */
function preloadOidc() {
    void __nccwpck_require__.e(/* import() */ 216).then(__nccwpck_require__.bind(__nccwpck_require__, 8216)).catch(() => undefined);
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
    const { BatchGetImageCommand } = await Promise.all(/* import() */[__nccwpck_require__.e(861), __nccwpck_require__.e(249)]).then(__nccwpck_require__.t.bind(__nccwpck_require__, 8249, 19));
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
    const { DescribeImagesCommand } = await Promise.all(/* import() */[__nccwpck_require__.e(861), __nccwpck_require__.e(249)]).then(__nccwpck_require__.t.bind(__nccwpck_require__, 8249, 19));
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

// EXTERNAL MODULE: external "node:fs"
var external_node_fs_ = __nccwpck_require__(3024);
// EXTERNAL MODULE: external "node:stream"
var external_node_stream_ = __nccwpck_require__(7075);
;// CONCATENATED MODULE: external "node:stream/promises"
const external_node_stream_promises_namespaceObject = __WEBPACK_EXTERNAL_createRequire(import.meta.url)("node:stream/promises");
// EXTERNAL MODULE: external "node:zlib"
var external_node_zlib_ = __nccwpck_require__(8522);
// EXTERNAL MODULE: ./node_modules/tar-stream/index.js
var tar_stream = __nccwpck_require__(6118);
;// CONCATENATED MODULE: ./src/audit/export.ts
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
    await promises_.mkdir(dir, { recursive: true });
    const root = await promises_.realpath(dir);
    const spool = await promises_.mkdtemp(external_node_path_.join(spoolDir, 'ecr-audit-spool-'));
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
            return JSON.parse(('buffer' in e ? e.buffer : await promises_.readFile(e.file)).toString('utf8'));
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
        await promises_.rm(spool, { recursive: true, force: true });
    }
}
function normalizeArchiveName(name) {
    return external_node_path_.posix.normalize(name.replace(/^(\.\/)+/, '')).replace(/\/$/, '');
}
/** Runs `handler` on each entry of the tar that `streams` yield, one at a time; it must consume the entry. */
async function eachEntry(streams, handler) {
    const extract = tar_stream.extract();
    // The extractor may finish before the last handler's continuation has run: await it too.
    let pending = Promise.resolve();
    extract.on('entry', (header, entry, next) => {
        pending = handler(header, entry).then(() => next(), (err) => next(err));
    });
    await (0,external_node_stream_promises_namespaceObject.pipeline)([...streams, extract]);
    await pending;
}
async function drain(entry) {
    entry.resume();
    await (0,external_node_stream_promises_namespaceObject.finished)(entry);
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
                    await (0,external_node_stream_promises_namespaceObject.finished)(entry);
                    entries.set(name, { buffer: Buffer.concat(chunks) });
                }
                else {
                    const file = external_node_path_.join(spool, String(n++));
                    await (0,external_node_stream_promises_namespaceObject.pipeline)(entry, (0,external_node_fs_.createWriteStream)(file));
                    entries.set(name, { file });
                }
                return;
            }
            if (h.type === 'symlink' && h.linkname) {
                // Docker links a layer seen twice: <id>/layer.tar -> ../<other>/layer.tar
                links.set(name, normalizeArchiveName(external_node_path_.posix.join(external_node_path_.posix.dirname(name), h.linkname)));
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
        if (source instanceof external_node_stream_.Readable) {
            input = source;
            magic = Buffer.alloc(0);
        }
        else if ('buffer' in source) {
            input = external_node_stream_.Readable.from([source.buffer]);
            magic = source.buffer.subarray(0, 4);
        }
        else {
            const fh = await promises_.open(source.file, 'r');
            try {
                magic = Buffer.alloc(4);
                const { bytesRead } = await fh.read(magic, 0, 4, 0);
                magic = magic.subarray(0, bytesRead);
            }
            finally {
                await fh.close();
            }
            input = (0,external_node_fs_.createReadStream)(source.file, { highWaterMark: 256 * 1024 });
        }
        const stages = [];
        if (magic[0] === 0x1f && magic[1] === 0x8b)
            stages.push(external_node_zlib_.createGunzip());
        else if (magic.equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))) {
            const z = external_node_zlib_.createZstdDecompress;
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
        return external_node_path_.join(this.root, ...parts);
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
            const st = await promises_.lstat(p).catch(() => undefined);
            if (st === undefined) {
                if (!create)
                    return 'missing';
                await promises_.mkdir(p, { mode: 0o755 });
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
        const st = await promises_.lstat(p).catch(() => undefined);
        if (st === undefined)
            return;
        if (st.isDirectory()) {
            for (const d of this.safeDirs)
                if (d === rel || d.startsWith(`${rel}/`))
                    this.safeDirs.delete(d);
            await promises_.rm(p, { recursive: true, force: true });
        }
        else {
            await promises_.unlink(p);
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
        const rel = parts.join('/');
        const target = this.abs(parts);
        // Whiteouts: .wh..wh..opq clears what earlier layers put in the directory; .wh.NAME deletes NAME.
        if (base.startsWith('.wh.')) {
            await drain(entry);
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
                for (const child of await promises_.readdir(dirAbs).catch(() => [])) {
                    const childRel = dirRel === '' ? child : `${dirRel}/${child}`;
                    if (!this.written.has(childRel))
                        await this.remove(external_node_path_.join(dirAbs, child), childRel);
                }
            }
            else {
                const victim = base.slice('.wh.'.length);
                const victimRel = dirRel === '' ? victim : `${dirRel}/${victim}`;
                if (victim !== '' && victim !== '.' && victim !== '..' && !this.written.has(victimRel)) {
                    await this.remove(external_node_path_.join(dirAbs, victim), victimRel);
                }
            }
            return;
        }
        const problem = await this.parentsOk(parts, true);
        if (problem !== undefined) {
            await drain(entry);
            return this.refuse(name, problem);
        }
        const mode = (h.mode ?? 0o644) & 0o777;
        switch (h.type) {
            case 'directory': {
                await drain(entry);
                const st = await promises_.lstat(target).catch(() => undefined);
                if (st && !st.isDirectory())
                    await this.remove(target, rel);
                if (!st || !st.isDirectory())
                    await promises_.mkdir(target, { mode: mode | 0o700 });
                else
                    await promises_.chmod(target, mode | 0o700);
                this.safeDirs.add(rel);
                this.stats.dirs++;
                break;
            }
            case 'file':
            case 'contiguous-file': {
                await this.remove(target, rel);
                // wx: never follows or overwrites anything that appeared meanwhile.
                await (0,external_node_stream_promises_namespaceObject.pipeline)(entry, (0,external_node_fs_.createWriteStream)(target, { flags: 'wx', mode: mode | 0o600 }));
                this.stats.files++;
                this.stats.bytes += h.size ?? 0;
                break;
            }
            case 'symlink': {
                await drain(entry);
                let link = h.linkname ?? '';
                if (link.startsWith('/')) {
                    // Inside the image, /x means the image's /x: point at the export's own copy.
                    const rebased = external_node_path_.posix.relative(external_node_path_.posix.join('/', ...parts.slice(0, -1)), external_node_path_.posix.normalize(link));
                    link = rebased === '' ? '.' : rebased;
                    this.stats.symlinksRewritten++;
                }
                else {
                    const resolved = external_node_path_.posix.normalize(external_node_path_.posix.join(parts.slice(0, -1).join('/') || '.', link));
                    if (resolved === '..' || resolved.startsWith('../')) {
                        return this.refuse(name, `symlink to ${h.linkname ?? ''} points outside the image root`);
                    }
                }
                await this.remove(target, rel);
                await promises_.symlink(link, target);
                this.stats.symlinks++;
                break;
            }
            case 'link': {
                await drain(entry);
                const srcParts = LayerApplier.parts(h.linkname ?? '');
                if (typeof srcParts === 'string' || srcParts.length === 0) {
                    return this.refuse(name, `hard link to ${h.linkname ?? ''}: ${typeof srcParts === 'string' ? srcParts : 'the root'}`);
                }
                const srcProblem = await this.parentsOk(srcParts, false);
                const src = this.abs(srcParts);
                const st = await promises_.lstat(src).catch(() => undefined);
                if (srcProblem !== undefined || st === undefined || st.isDirectory()) {
                    return this.refuse(name, `hard link to ${h.linkname ?? ''}: ${srcProblem === 'missing' || st === undefined ? 'no such file' : (srcProblem ?? 'a directory')}`);
                }
                if (src === target)
                    break;
                await this.remove(target, rel);
                await promises_.link(src, target);
                this.stats.hardlinks++;
                break;
            }
            default:
                await drain(entry);
                this.stats.skipped++;
                return;
        }
        this.written.add(rel);
    }
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

;// CONCATENATED MODULE: ./src/gate/index.ts
async function prepareGate(ctx) {
    return { enabled: ctx.inputs.waitForScan };
}
async function runGate(_ctx, _plan) {
    return {};
}

;// CONCATENATED MODULE: ./src/governance/index.ts
async function prepareGovernance(_ctx) {
    return {};
}
async function createRepository(_i, _e, _r, _env) {
    throw new Error('not implemented');
}
async function runGovernance(_ctx, _plan) {
    return {};
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
    const { ECRClient } = await Promise.all(/* import() */[__nccwpck_require__.e(861), __nccwpck_require__.e(249)]).then(__nccwpck_require__.t.bind(__nccwpck_require__, 8249, 19));
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
    const { GetAuthorizationTokenCommand } = await Promise.all(/* import() */[__nccwpck_require__.e(861), __nccwpck_require__.e(249)]).then(__nccwpck_require__.t.bind(__nccwpck_require__, 8249, 19));
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
    const { DescribeRepositoriesCommand } = await Promise.all(/* import() */[__nccwpck_require__.e(861), __nccwpck_require__.e(249)]).then(__nccwpck_require__.t.bind(__nccwpck_require__, 8249, 19));
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
    const { DescribeImagesCommand } = await Promise.all(/* import() */[__nccwpck_require__.e(861), __nccwpck_require__.e(249)]).then(__nccwpck_require__.t.bind(__nccwpck_require__, 8249, 19));
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
    const { STSClient } = await Promise.all(/* import() */[__nccwpck_require__.e(861), __nccwpck_require__.e(695)]).then(__nccwpck_require__.t.bind(__nccwpck_require__, 1695, 19));
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
    const { AssumeRoleWithWebIdentityCommand } = await Promise.all(/* import() */[__nccwpck_require__.e(861), __nccwpck_require__.e(695)]).then(__nccwpck_require__.t.bind(__nccwpck_require__, 1695, 19));
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
    const { STSClient, GetCallerIdentityCommand } = await Promise.all(/* import() */[__nccwpck_require__.e(861), __nccwpck_require__.e(695)]).then(__nccwpck_require__.t.bind(__nccwpck_require__, 1695, 19));
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
