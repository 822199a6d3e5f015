//! Statistical eye and BER. (Being written.)
