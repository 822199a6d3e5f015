//! `cporx loss` on bad input: every flag out of range names itself and its legal range,
//! a missing or unusable `--channel` file names its path; nothing is computed.

use std::process::{Command, Output};

fn cporx(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_cporx"))
        .args(args)
        .env_remove("CPORX_CHANNELS")
        .output()
        .unwrap()
}

fn err(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[test]
fn bad_flags_name_their_range() {
    for (args, want) in [
        (
            vec!["loss", "--bits", "11"],
            "--bits = 11 is out of range: legal is 1 ..= 10 bits",
        ),
        (
            vec!["loss", "--bits", "6,0"],
            "--bits = 0 is out of range: legal is 1 ..= 10 bits",
        ),
        (
            vec!["loss", "--taps", "1"],
            "--taps = 1 is out of range: legal is 2 ..= 16",
        ),
        (
            vec!["loss", "--snr-db", "90"],
            "--snr-db = 90 is out of range: legal is 0 ..= 80 dB",
        ),
        (
            vec!["loss", "--target-ber", "0.5"],
            "--target-ber = 0.5 is out of range: legal is 0.000000000000001 ..= 0.01",
        ),
        (
            vec!["loss", "--channel", "/nonexistent/x.s4p"],
            "--channel /nonexistent/x.s4p: no such file",
        ),
    ] {
        let o = cporx(&args);
        assert_eq!(o.status.code(), Some(1), "{args:?}: {}", err(&o));
        assert!(err(&o).contains(want), "{args:?}: {}", err(&o));
        assert!(o.stdout.is_empty(), "{args:?} printed a table");
    }
}

#[test]
fn a_crosstalk_file_alone_is_refused_with_its_reason() {
    let f = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../shared/channels/C2M__Z100_IL14_WC_BOR_H_L_H_FEXT1.s4p"
    );
    let o = cporx(&["loss", "--channel", f]);
    assert_eq!(o.status.code(), Some(1), "{}", err(&o));
    assert!(
        err(&o).contains("--channel ") && err(&o).contains("FEXT1"),
        "{}",
        err(&o)
    );
}
