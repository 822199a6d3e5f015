//! The ECP5 boards cporx builds for: part and nextpnr flags, the board clock, and the
//! board-level pins (LEDs, buttons, UART) that the committed constraint files
//! `synth/boards/<board>.lpf` place. The pin tables here mirror those files (a unit test
//! checks they agree); the files carry the sources of the pin sites. See
//! `synth/boards/README.md`.
//!
//! Board-level port names are the same on every board: `clk`, `led[i]`, `btn[i]`,
//! `uart_tx` (FPGA output), `uart_rx` (FPGA input). A top that uses a subset of them can
//! use the board's LPF as is (nextpnr ignores constraints on ports a design lacks).

use crate::SynthError;

/// A supported board.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub enum Board {
    /// ULX3S with the LFE5U-85F-6BG381C.
    #[serde(rename = "ulx3s-85f")]
    Ulx3s85f,
    /// OrangeCrab r0.2 with the LFE5U-25F-8MG285C.
    #[serde(rename = "orangecrab-25f")]
    OrangeCrab25f,
}

/// One constrained board pin.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pin {
    /// Port name in the LPF (`led[0]`, `uart_tx`, ...).
    pub port: &'static str,
    /// Package ball.
    pub site: &'static str,
    /// True when the signal is asserted low on the board (LED lit by 0, button pressed reads 0).
    pub active_low: bool,
    /// What it is on the board.
    pub what: &'static str,
}

const fn pin(port: &'static str, site: &'static str, active_low: bool, what: &'static str) -> Pin {
    Pin {
        port,
        site,
        active_low,
        what,
    }
}

const ULX3S_PINS: &[Pin] = &[
    pin("clk", "G2", false, "25 MHz oscillator"),
    pin(
        "uart_tx",
        "L4",
        false,
        "FPGA TX to the FT231X USB-serial bridge",
    ),
    pin(
        "uart_rx",
        "M1",
        false,
        "FPGA RX from the FT231X USB-serial bridge",
    ),
    pin("led[0]", "B2", false, "LED D0"),
    pin("led[1]", "C2", false, "LED D1"),
    pin("led[2]", "C1", false, "LED D2"),
    pin("led[3]", "D2", false, "LED D3"),
    pin("led[4]", "D1", false, "LED D4"),
    pin("led[5]", "E2", false, "LED D5"),
    pin("led[6]", "E1", false, "LED D6"),
    pin("led[7]", "H3", false, "LED D7"),
    pin("btn[0]", "D6", true, "button PWR"),
    pin("btn[1]", "R1", false, "button FIRE1"),
    pin("btn[2]", "T1", false, "button FIRE2"),
    pin("btn[3]", "R18", false, "button UP"),
    pin("btn[4]", "V1", false, "button DOWN"),
    pin("btn[5]", "U1", false, "button LEFT"),
    pin("btn[6]", "H16", false, "button RIGHT"),
];

const ORANGECRAB_PINS: &[Pin] = &[
    pin("clk", "A9", false, "48 MHz oscillator"),
    pin("led[0]", "K4", true, "RGB LED red"),
    pin("led[1]", "M3", true, "RGB LED green"),
    pin("led[2]", "J3", true, "RGB LED blue"),
    pin(
        "btn[0]",
        "J17",
        true,
        "user button (1.35 V bank, SSTL135_I)",
    ),
    pin(
        "uart_tx",
        "M18",
        false,
        "Feather pin TX (IO_1): no USB-serial bridge on board",
    ),
    pin(
        "uart_rx",
        "N17",
        false,
        "Feather pin RX (IO_0): no USB-serial bridge on board",
    ),
];

impl Board {
    /// All boards, in the order error messages list them.
    pub const ALL: [Board; 2] = [Board::Ulx3s85f, Board::OrangeCrab25f];

    /// The name used on the command line and in file names.
    pub fn name(self) -> &'static str {
        match self {
            Board::Ulx3s85f => "ulx3s-85f",
            Board::OrangeCrab25f => "orangecrab-25f",
        }
    }

    /// Parse a board name; the error lists the legal names.
    pub fn parse(s: &str) -> Result<Board, SynthError> {
        Board::ALL
            .into_iter()
            .find(|b| b.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| SynthError::UnknownBoard {
                given: s.to_string(),
                legal: Board::ALL.map(|b| b.name()).join(", "),
            })
    }

    /// The FPGA's full part number.
    pub fn part(self) -> &'static str {
        match self {
            Board::Ulx3s85f => "LFE5U-85F-6BG381C",
            Board::OrangeCrab25f => "LFE5U-25F-8MG285C",
        }
    }

    /// nextpnr-ecp5's device, package and speed-grade flags.
    pub fn nextpnr_args(self) -> [&'static str; 5] {
        match self {
            Board::Ulx3s85f => ["--85k", "--package", "CABGA381", "--speed", "6"],
            Board::OrangeCrab25f => ["--25k", "--package", "CSFBGA285", "--speed", "8"],
        }
    }

    /// The board oscillator's frequency in MHz.
    pub fn clock_mhz(self) -> f64 {
        match self {
            Board::Ulx3s85f => 25.0,
            Board::OrangeCrab25f => 48.0,
        }
    }

    /// The board-level pins (the first is the clock, port `clk`).
    pub fn pins(self) -> &'static [Pin] {
        match self {
            Board::Ulx3s85f => ULX3S_PINS,
            Board::OrangeCrab25f => ORANGECRAB_PINS,
        }
    }

    /// The board clock's package ball.
    pub fn clock_site(self) -> &'static str {
        self.pins()[0].site
    }

    /// The committed constraint file `synth/boards/<board>.lpf`, carried in the binary (a
    /// copied or installed `cporx` builds on the same pins; the build writes it beside
    /// its outputs).
    pub fn lpf_text(self) -> &'static str {
        match self {
            Board::Ulx3s85f => include_str!("../boards/ulx3s-85f.lpf"),
            Board::OrangeCrab25f => include_str!("../boards/orangecrab-25f.lpf"),
        }
    }

    /// A constraint file with only the board clock, on a port named `clock_port`, with a
    /// FREQUENCY constraint of `mhz` (for designs whose other ports are not board pins;
    /// build those with unconstrained I/O allowed).
    pub fn clock_only_lpf(self, clock_port: &str, mhz: f64) -> String {
        format!(
            "# {board} ({part}): only the board clock ({site}, {osc} MHz oscillator) on port \
             `{clock_port}`,\n# constrained at the build target; every other I/O is placed \
             by nextpnr (--lpf-allow-unconstrained).\n\
             LOCATE COMP \"{clock_port}\" SITE \"{site}\";\n\
             IOBUF PORT \"{clock_port}\" IO_TYPE=LVCMOS33;\n\
             FREQUENCY PORT \"{clock_port}\" {mhz} MHZ;\n",
            board = self.name(),
            part = self.part(),
            site = self.clock_site(),
            osc = self.clock_mhz(),
        )
    }
}

impl std::fmt::Display for Board {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Board {
    type Err = SynthError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Board::parse(s)
    }
}
