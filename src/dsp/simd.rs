//! Runtime choice of the instruction set for the hot kernels (EQ, compressor). Each kernel is
//! one `#[inline(always)]` function compiled twice: as is (baseline x86-64 = SSE2, or any other
//! target) and inside a `#[target_feature(enable = "avx2,fma")]` wrapper, which LLVM widens to
//! 256-bit registers. The effect detects the CPU once, when it is built, and keeps the answer.
//! Rust never fuses `a * b + c` on its own, so both builds round alike; where a kernel wants a
//! fused multiply-add it asks through [`Fma`], whose two implementations differ only there.

/// Which build of a kernel to run.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Isa {
    /// The portable build (what the target was compiled for).
    Portable,
    /// AVX2 with FMA (x86-64 only, when the CPU has both).
    Avx2Fma,
}

impl Isa {
    /// The best build this CPU runs (the standard library caches the CPU's answer, so this
    /// neither allocates nor asks the OS twice).
    pub fn detect() -> Isa {
        #[cfg(target_arch = "x86_64")]
        {
            if std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma") {
                return Isa::Avx2Fma;
            }
        }
        Isa::Portable
    }
}

/// `a·b + c`, fused or not: a kernel generic over this trait compiles to plain multiply and
/// add in the portable build (where `f64::mul_add` would be a libm call) and to FMA
/// instructions in the AVX2 build.
pub trait Fma: Copy {
    fn madd(a: f64, b: f64, c: f64) -> f64;
}

/// Separate multiply and add (every target).
#[derive(Clone, Copy)]
pub struct Unfused;

impl Fma for Unfused {
    #[inline(always)]
    fn madd(a: f64, b: f64, c: f64) -> f64 {
        a * b + c
    }
}

/// One rounding (only inside `#[target_feature(enable = "fma")]` code).
#[derive(Clone, Copy)]
pub struct Fused;

impl Fma for Fused {
    #[inline(always)]
    fn madd(a: f64, b: f64, c: f64) -> f64 {
        a.mul_add(b, c)
    }
}
