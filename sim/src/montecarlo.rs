//! Fast Monte-Carlo BER through the bit-exact model. (Being written.)
