//! FFE tap solving (MMSE, zero forcing), quantization loss, sign-sign LMS. (Being written.)
