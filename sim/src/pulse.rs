//! From a measured transfer function (SDD21) to a time-domain pulse response.
//! (Being written.)
