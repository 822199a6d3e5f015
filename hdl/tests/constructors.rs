//! Every receive block's constructor returns the parameter error (naming the field and
//! its legal range) instead of panicking.

use cporx_hdl::{cdr::Cdr, ffe::Ffe, rx_top::RxTop, slicer::Slicer};
use cporx_spec::RxParams;

#[test]
fn illegal_parameters_are_errors_not_panics() {
    let bad = RxParams {
        n_taps: 17,
        ..Default::default()
    };
    let want = "n_taps";
    assert!(Ffe::new(&bad).err().unwrap().to_string().contains(want));
    assert!(Slicer::new(&bad).err().unwrap().to_string().contains(want));
    assert!(Cdr::new(&bad).err().unwrap().to_string().contains(want));
    assert!(RxTop::new(&bad).err().unwrap().to_string().contains(want));
    let p = RxParams::default();
    assert!(Ffe::new(&p).is_ok() && Slicer::new(&p).is_ok() && Cdr::new(&p).is_ok());
}
