;; The cpu and wasm kernels' innermost channel loops, four channels per
;; WebAssembly SIMD instruction (see wasm_simd.ts, which explains why they
;; exist and how they are called). scripts/build_wasm.mjs assembles this file
;; with wabt into wasm_simd_bytes.ts; test/wasm_simd_source.spec.ts checks
;; that the two agree.
;;
;; Every function takes the same five i32 parameters: $pixels, the byte
;; offset of `count` i32 byte offsets, each a pixel's channel 0; $count;
;; $list, a second list (one f32 weight per pixel, or the bin's dy); $quads,
;; the number of quads of channels; and $out. Locals: $c, the byte offset of
;; a quad of channels; $i, the byte offset into the pixel lists; $a, an
;; address; $m, the running quad. Every loop is `for (v = 0; v < end; v +=
;; step)`, as a block around a loop, with ends in bytes.
(module
  (type $channelLoop (func (param i32 i32 i32 i32 i32)))
  (import "env" "memory" (memory 1))

  ;; RoIPool's bin max. f32x4.pmax(m, v) is `m < v ? v : m` lane by lane,
  ;; which is the definition as it stands: from -FLT_MAX, a pixel replaces
  ;; the running max only when strictly greater. So NaN never wins, ties keep
  ;; the first pixel (-0 before 0 stays -0), and a bin of -Infinity gives
  ;; -FLT_MAX, with no special cases. ($list is unused.)
  (func $binMax (export "binMax") (type $channelLoop)
    (param $pixels i32) (param $count i32) (param $list i32) (param $quads i32) (param $out i32)
    (local $c i32) (local $i i32) (local $a i32) (local $m v128)
    (local.set $quads (i32.shl (local.get $quads) (i32.const 4)))
    (local.set $count (i32.shl (local.get $count) (i32.const 2)))
    (local.set $c (i32.const 0))
    (block $quadsDone
      (loop $quad
        (br_if $quadsDone (i32.ge_u (local.get $c) (local.get $quads)))
        (local.set $m (v128.const f32x4 -0x1.fffffep+127 -0x1.fffffep+127 -0x1.fffffep+127 -0x1.fffffep+127))
        (local.set $i (i32.const 0))
        (block $pixelsDone
          (loop $pixel
            (br_if $pixelsDone (i32.ge_u (local.get $i) (local.get $count)))
            (local.set $m
              (f32x4.pmax
                (local.get $m)
                (v128.load align=1
                  (i32.add (i32.load (i32.add (local.get $pixels) (local.get $i))) (local.get $c)))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $pixel)))
        (v128.store align=1 (i32.add (local.get $out) (local.get $c)) (local.get $m))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $quad))))

  ;; RoIAlign 'avg': the sum over the bin's pixels of weight * x in float32,
  ;; in pixel order, as torchvision's float kernels sum.
  (func $weightedSum (export "weightedSum") (type $channelLoop)
    (param $pixels i32) (param $count i32) (param $list i32) (param $quads i32) (param $out i32)
    (local $c i32) (local $i i32) (local $a i32) (local $m v128)
    (local.set $quads (i32.shl (local.get $quads) (i32.const 4)))
    (local.set $count (i32.shl (local.get $count) (i32.const 2)))
    (local.set $c (i32.const 0))
    (block $quadsDone
      (loop $quad
        (br_if $quadsDone (i32.ge_u (local.get $c) (local.get $quads)))
        (local.set $m (v128.const f32x4 0 0 0 0))
        (local.set $i (i32.const 0))
        (block $pixelsDone
          (loop $pixel
            (br_if $pixelsDone (i32.ge_u (local.get $i) (local.get $count)))
            (local.set $m
              (f32x4.add
                (local.get $m)
                (f32x4.mul
                  (v128.load align=1
                    (i32.add (i32.load (i32.add (local.get $pixels) (local.get $i))) (local.get $c)))
                  (f32x4.splat (f32.load (i32.add (local.get $list) (local.get $i)))))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $pixel)))
        (v128.store align=1 (i32.add (local.get $out) (local.get $c)) (local.get $m))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $quad))))

  ;; weightedSum's backward w.r.t. x: x[pixel] += weight * dy for each of the
  ;; bin's pixels ($list: the weights; $out: the bin's dy), in place.
  (func $scatterWeighted (export "scatterWeighted") (type $channelLoop)
    (param $pixels i32) (param $count i32) (param $list i32) (param $quads i32) (param $out i32)
    (local $c i32) (local $i i32) (local $a i32) (local $m v128)
    (local.set $quads (i32.shl (local.get $quads) (i32.const 4)))
    (local.set $count (i32.shl (local.get $count) (i32.const 2)))
    (local.set $c (i32.const 0))
    (block $quadsDone
      (loop $quad
        (br_if $quadsDone (i32.ge_u (local.get $c) (local.get $quads)))
        (local.set $m (v128.load align=1 (i32.add (local.get $out) (local.get $c))))
        (local.set $i (i32.const 0))
        (block $pixelsDone
          (loop $pixel
            (br_if $pixelsDone (i32.ge_u (local.get $i) (local.get $count)))
            (v128.store align=1
              (local.tee $a
                (i32.add (i32.load (i32.add (local.get $pixels) (local.get $i))) (local.get $c)))
              (f32x4.add
                (v128.load align=1 (local.get $a))
                (f32x4.mul
                  (f32x4.splat (f32.load (i32.add (local.get $list) (local.get $i))))
                  (local.get $m))))
            (local.set $i (i32.add (local.get $i) (i32.const 4)))
            (br $pixel)))
        (local.set $c (i32.add (local.get $c) (i32.const 16)))
        (br $quad))))

  ;; For the box gradient: $out[i] = the dot product over the channel quads
  ;; of pixel i with the bin's dy ($list), the four lanes added last,
  ;; ((l0 + l1) + l2) + l3.
  (func $pixelDots (export "pixelDots") (type $channelLoop)
    (param $pixels i32) (param $count i32) (param $list i32) (param $quads i32) (param $out i32)
    (local $c i32) (local $i i32) (local $a i32) (local $m v128)
    (local.set $quads (i32.shl (local.get $quads) (i32.const 4)))
    (local.set $count (i32.shl (local.get $count) (i32.const 2)))
    (local.set $i (i32.const 0))
    (block $pixelsDone
      (loop $pixel
        (br_if $pixelsDone (i32.ge_u (local.get $i) (local.get $count)))
        (local.set $m (v128.const f32x4 0 0 0 0))
        (local.set $c (i32.const 0))
        (block $quadsDone
          (loop $quad
            (br_if $quadsDone (i32.ge_u (local.get $c) (local.get $quads)))
            (local.set $m
              (f32x4.add
                (local.get $m)
                (f32x4.mul
                  (v128.load align=1
                    (i32.add (i32.load (i32.add (local.get $pixels) (local.get $i))) (local.get $c)))
                  (v128.load align=1 (i32.add (local.get $list) (local.get $c))))))
            (local.set $c (i32.add (local.get $c) (i32.const 16)))
            (br $quad)))
        (f32.store
          (i32.add (local.get $out) (local.get $i))
          (f32.add
            (f32.add
              (f32.add (f32x4.extract_lane 0 (local.get $m)) (f32x4.extract_lane 1 (local.get $m)))
              (f32x4.extract_lane 2 (local.get $m)))
            (f32x4.extract_lane 3 (local.get $m))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $pixel))))
)
