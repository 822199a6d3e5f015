//! `cporx link` with a measured channel: the CDR loop closed over the TEC 4-inch thru's
//! pulse response (Touchstone -> SDD21 -> pulse), and a crosstalk file refused clearly.

use std::process::Command;

fn chan(f: &str) -> String {
    format!("{}/../shared/channels/{f}", env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn closed_loop_locks_on_a_measured_channel() {
    let o = Command::new(env!("CARGO_BIN_EXE_cporx"))
        .args([
            "link",
            "--snr",
            "30",
            "--ppm",
            "100",
            "--ui",
            "200000",
            "--channel",
        ])
        .arg(chan("TEC_SMT_IO_42GHz_Thru_B5B6_4in.s4p"))
        .output()
        .unwrap();
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    let line = |key: &str| {
        out.lines()
            .find(|l| l.starts_with(key))
            .unwrap_or_else(|| panic!("{key}: {out}"))
            .to_string()
    };
    // locks, tracks the offset, no slips, and error-free at 30 dB with 3 taps
    assert!(!line("lock time").contains("never"), "{out}");
    assert!(
        line("cycle slips").starts_with("cycle slips    : 0 "),
        "{out}"
    );
    assert!(line("BER").contains("(0 bit errors in "), "{out}");
    assert!(
        line("frequency").contains("100.0 ppm") || line("frequency").contains("99.9 ppm"),
        "{out}"
    );
}

#[test]
fn crosstalk_file_as_channel_is_a_clear_error() {
    let o = Command::new(env!("CARGO_BIN_EXE_cporx"))
        .args(["link", "--channel"])
        .arg(chan("C2M__Z100_IL14_WC_BOR_H_L_H_FEXT1.s4p"))
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("no thru path") && err.contains("1,3:2,4"),
        "{err}"
    );
    let o = Command::new(env!("CARGO_BIN_EXE_cporx"))
        .args(["link", "--channel", "short", "--map", "1,3:2,4"])
        .output()
        .unwrap();
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--map and --force-map need a Touchstone"));
}
