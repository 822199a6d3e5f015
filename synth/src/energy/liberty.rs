//! A Liberty (.lib) cell-library reader, enough for power: the library's units, its
//! table templates, and per cell its area, leakage, sequential element and pins with
//! their capacitances, functions and internal-power tables.
//!
//! Input: the text of a `.lib` file ([`Liberty::read`] or [`Liberty::parse`]).
//! Output: a [`Liberty`] whose every quantity is in fixed units, whatever the file's:
//!
//! | quantity | unit | from |
//! |---|---|---|
//! | time, transition (table indices) | ns | `time_unit` |
//! | voltage (`nom_voltage`) | V | `voltage_unit` |
//! | capacitance (pins, table indices) | pF | `capacitive_load_unit` |
//! | leakage (`cell_leakage_power`) | W | `leakage_power_unit` |
//! | internal energy (`rise_power`, `fall_power`, `power` tables) | pJ | see below |
//! | area | the library's own area unit (OSU018: um^2) | `area` |
//!
//! **Internal-power tables hold energy, not power.** Their values are energy per
//! transition in units of `capacitive_load_unit` x `voltage_unit`^2 (Liberty has no unit
//! attribute for them). For the OSU018 library (1 pF, 1 V) that is pF V^2 = pJ; this
//! reader converts every table to pJ whatever the file's units.
//!
//! The syntax accepted ([`parse_tree`]): groups `name (args) { ... }`, simple attributes
//! `name : value ;`, complex attributes `name (v, v, ...) ;`, quoted strings, backslash
//! line continuations and `/* */` comments; a missing `;` at the end of an attribute is
//! accepted. Errors name the file and line.
//!
//! Not read (not needed for power): timing arcs and constraints, `leakage_power` groups
//! with `when` conditions (the cell's `cell_leakage_power` is used), `pg_pin`,
//! `test_cell`, operating conditions. `bus` and `bundle` pins are an error (no cell of
//! the supported libraries has one, and silently dropping their pins would lose power).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where the project installs the OSU 0.18 um library, relative to the repository root.
pub const OSU018_REL: &str = ".tools/osu018/osu018_stdcells.lib";

/// The OSU018 liberty in the checkout found by [`cporx_spec::paths`] (the repository
/// root above the working directory, or beside the executable). No flag or environment
/// variable is consulted here: a command that has them calls [`cporx_spec::paths::find`]
/// itself with [`OSU018_REL`].
pub fn locate_osu018() -> Result<PathBuf, String> {
    cporx_spec::paths::find(
        "the OSU018 liberty (the project's tool setup installs it into .tools/osu018/)",
        None,
        None,
        OSU018_REL,
    )
}

/// What can go wrong reading a liberty. Every variant names the file.
#[derive(Debug, thiserror::Error)]
pub enum LibertyError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// The text is not Liberty syntax, or a value is not what its attribute needs.
    #[error("{path}:{line}: {msg}")]
    Syntax {
        path: PathBuf,
        line: usize,
        msg: String,
    },
    /// [`Liberty::check_power`]: cells (or the library) without the power data needed.
    #[error("{path}: power data missing: {}", .problems.join("; "))]
    MissingPower {
        path: PathBuf,
        /// The cells named in `problems` (empty names are library-level problems).
        cells: Vec<String>,
        problems: Vec<String>,
    },
}

// ---------------------------------------------------------------------------------
// The syntax tree
// ---------------------------------------------------------------------------------

/// An attribute's value: `name : value ;` or `name (v, v, ...) ;`.
#[derive(Debug, Clone, PartialEq)]
pub enum AttrValue {
    Simple(String),
    Complex(Vec<String>),
}

/// One attribute of a group, with its line.
#[derive(Debug, Clone, PartialEq)]
pub struct Attr {
    pub name: String,
    pub value: AttrValue,
    pub line: usize,
}

/// A group `kind (args) { attrs and groups }`, with the line of its name.
#[derive(Debug, Clone, PartialEq)]
pub struct Group {
    pub kind: String,
    pub args: Vec<String>,
    pub line: usize,
    pub attrs: Vec<Attr>,
    pub groups: Vec<Group>,
}

impl Group {
    /// The first attribute called `name`.
    pub fn attr(&self, name: &str) -> Option<&Attr> {
        self.attrs.iter().find(|a| a.name == name)
    }

    /// The value of the simple attribute `name` (a complex one with one value counts).
    pub fn simple(&self, name: &str) -> Option<(&str, usize)> {
        self.attr(name).and_then(|a| match &a.value {
            AttrValue::Simple(v) => Some((v.as_str(), a.line)),
            AttrValue::Complex(v) if v.len() == 1 => Some((v[0].as_str(), a.line)),
            AttrValue::Complex(_) => None,
        })
    }

    /// The direct subgroups of kind `kind`.
    pub fn groups_of<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = &'a Group> + 'a {
        self.groups.iter().filter(move |g| g.kind == kind)
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    LParen,
    RParen,
    LBrace,
    RBrace,
    Colon,
    Semi,
    Comma,
}

impl Tok {
    fn describe(&self) -> String {
        match self {
            Tok::Word(w) => format!("`{w}`"),
            Tok::Str(s) => format!("the string \"{s}\""),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::LBrace => "`{`".into(),
            Tok::RBrace => "`}`".into(),
            Tok::Colon => "`:`".into(),
            Tok::Semi => "`;`".into(),
            Tok::Comma => "`,`".into(),
        }
    }
}

fn syntax(path: &Path, line: usize, msg: impl Into<String>) -> LibertyError {
    LibertyError::Syntax {
        path: path.to_path_buf(),
        line,
        msg: msg.into(),
    }
}

/// Whether a backslash at `i` is a line continuation: only spaces, tabs or `\r` up to
/// the newline. Returns the index just past the newline.
fn continuation(b: &[u8], i: usize) -> Option<usize> {
    let mut j = i + 1;
    while j < b.len() && matches!(b[j], b' ' | b'\t' | b'\r') {
        j += 1;
    }
    (j < b.len() && b[j] == b'\n').then_some(j + 1)
}

fn tokenize(text: &str, path: &Path) -> Result<Vec<(Tok, usize)>, LibertyError> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut line = 1usize;
    let mut i = 0usize;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' => {
                line += 1;
                i += 1;
            }
            b' ' | b'\t' | b'\r' | 0x0c => i += 1,
            b'/' if b.get(i + 1) == Some(&b'*') => {
                let start = line;
                i += 2;
                loop {
                    if i + 1 >= b.len() {
                        return Err(syntax(path, start, "unterminated /* comment"));
                    }
                    if b[i] == b'*' && b[i + 1] == b'/' {
                        i += 2;
                        break;
                    }
                    if b[i] == b'\n' {
                        line += 1;
                    }
                    i += 1;
                }
            }
            b'\\' if continuation(b, i).is_some() => {
                i = continuation(b, i).unwrap_or(b.len());
                line += 1;
            }
            b'"' => {
                let start = line;
                let mut s = String::new();
                i += 1;
                loop {
                    if i >= b.len() {
                        return Err(syntax(path, start, "unterminated string"));
                    }
                    match b[i] {
                        b'"' => {
                            i += 1;
                            break;
                        }
                        b'\\' if continuation(b, i).is_some() => {
                            i = continuation(b, i).unwrap_or(b.len());
                            line += 1;
                        }
                        b'\n' => {
                            s.push('\n');
                            line += 1;
                            i += 1;
                        }
                        _ => {
                            // copy one UTF-8 character
                            let ch_len = text[i..].chars().next().map_or(1, char::len_utf8);
                            s.push_str(&text[i..i + ch_len]);
                            i += ch_len;
                        }
                    }
                }
                out.push((Tok::Str(s), start));
            }
            b'(' => {
                out.push((Tok::LParen, line));
                i += 1;
            }
            b')' => {
                out.push((Tok::RParen, line));
                i += 1;
            }
            b'{' => {
                out.push((Tok::LBrace, line));
                i += 1;
            }
            b'}' => {
                out.push((Tok::RBrace, line));
                i += 1;
            }
            b':' => {
                out.push((Tok::Colon, line));
                i += 1;
            }
            b';' => {
                out.push((Tok::Semi, line));
                i += 1;
            }
            b',' => {
                out.push((Tok::Comma, line));
                i += 1;
            }
            _ => {
                let start = i;
                while i < b.len() {
                    let d = b[i];
                    if d.is_ascii_whitespace()
                        || matches!(d, b'(' | b')' | b'{' | b'}' | b':' | b';' | b',' | b'"')
                        || (d == b'/' && b.get(i + 1) == Some(&b'*'))
                    {
                        break;
                    }
                    i += 1;
                }
                out.push((Tok::Word(text[start..i].to_string()), line));
            }
        }
    }
    Ok(out)
}

struct Parser<'a> {
    toks: Vec<(Tok, usize)>,
    pos: usize,
    path: &'a Path,
    last_line: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.pos).map(|(t, _)| t)
    }

    fn line(&self) -> usize {
        self.toks.get(self.pos).map_or(self.last_line, |(_, l)| *l)
    }

    fn next(&mut self) -> Option<(Tok, usize)> {
        let t = self.toks.get(self.pos).cloned();
        if t.is_some() {
            self.pos += 1;
        }
        t
    }

    fn err(&self, msg: impl Into<String>) -> LibertyError {
        syntax(self.path, self.line(), msg)
    }

    fn found(&self) -> String {
        self.peek()
            .map_or_else(|| "the end of the file".to_string(), Tok::describe)
    }

    /// Statements up to a `}` (consumed) when `nested`, else to the end of the text.
    fn body(
        &mut self,
        nested: bool,
        open_line: usize,
    ) -> Result<(Vec<Attr>, Vec<Group>), LibertyError> {
        let mut attrs = Vec::new();
        let mut groups = Vec::new();
        loop {
            match self.peek() {
                None if nested => {
                    return Err(syntax(
                        self.path,
                        open_line,
                        "group not closed: no `}` before the end of the file",
                    ))
                }
                None => return Ok((attrs, groups)),
                Some(Tok::RBrace) if nested => {
                    self.next();
                    return Ok((attrs, groups));
                }
                Some(Tok::Semi) => {
                    // a stray `;` (some writers put one after `}`)
                    self.next();
                }
                Some(Tok::Word(_)) => match self.statement()? {
                    Stmt::Attr(a) => attrs.push(a),
                    Stmt::Group(g) => groups.push(g),
                },
                Some(_) => {
                    return Err(self.err(format!(
                        "expected an attribute or group name, found {}",
                        self.found()
                    )))
                }
            }
        }
    }

    fn statement(&mut self) -> Result<Stmt, LibertyError> {
        let (name, line) = match self.next() {
            Some((Tok::Word(w), l)) => (w, l),
            _ => unreachable!("statement() is called on a word"),
        };
        match self.peek() {
            Some(Tok::Colon) => {
                self.next();
                let value = match self.peek() {
                    Some(Tok::Word(w)) | Some(Tok::Str(w)) => {
                        let w = w.clone();
                        self.next();
                        w
                    }
                    _ => {
                        return Err(self.err(format!(
                            "expected a value after `{name} :`, found {}",
                            self.found()
                        )));
                    }
                };
                match self.peek() {
                    Some(Tok::Semi) => {
                        self.next();
                    }
                    None | Some(Tok::Word(_)) | Some(Tok::RBrace) => {}
                    Some(_) => {
                        return Err(self.err(format!(
                            "expected `;` after `{name} : {value}`, found {}",
                            self.found()
                        )))
                    }
                }
                Ok(Stmt::Attr(Attr {
                    name,
                    value: AttrValue::Simple(value),
                    line,
                }))
            }
            Some(Tok::LParen) => {
                self.next();
                let mut args = Vec::new();
                loop {
                    match self.next() {
                        Some((Tok::RParen, _)) => break,
                        Some((Tok::Comma, _)) => {}
                        Some((Tok::Word(w), _)) | Some((Tok::Str(w), _)) => args.push(w),
                        Some((t, l)) => {
                            return Err(syntax(
                                self.path,
                                l,
                                format!(
                                    "in the arguments of `{name}`: unexpected {}",
                                    t.describe()
                                ),
                            ))
                        }
                        None => {
                            return Err(syntax(
                                self.path,
                                line,
                                format!("the arguments of `{name}` are not closed by `)`"),
                            ))
                        }
                    }
                }
                match self.peek() {
                    Some(Tok::LBrace) => {
                        self.next();
                        let (attrs, groups) = self.body(true, line)?;
                        Ok(Stmt::Group(Group {
                            kind: name,
                            args,
                            line,
                            attrs,
                            groups,
                        }))
                    }
                    Some(Tok::Semi) => {
                        self.next();
                        Ok(Stmt::Attr(Attr {
                            name,
                            value: AttrValue::Complex(args),
                            line,
                        }))
                    }
                    None | Some(Tok::Word(_)) | Some(Tok::RBrace) => Ok(Stmt::Attr(Attr {
                        name,
                        value: AttrValue::Complex(args),
                        line,
                    })),
                    Some(_) => Err(self.err(format!(
                        "expected `{{` or `;` after `{name}(...)`, found {}",
                        self.found()
                    ))),
                }
            }
            _ => Err(self.err(format!(
                "expected `:` or `(` after `{name}`, found {}",
                self.found()
            ))),
        }
    }
}

enum Stmt {
    Attr(Attr),
    Group(Group),
}

/// The syntax tree of a Liberty text: its one top-level group (`library (...) { ... }`).
/// `path` names the text in errors.
pub fn parse_tree(text: &str, path: &Path) -> Result<Group, LibertyError> {
    let toks = tokenize(text, path)?;
    let last_line = text.lines().count().max(1);
    let mut p = Parser {
        toks,
        pos: 0,
        path,
        last_line,
    };
    let (attrs, mut groups) = p.body(false, 1)?;
    if let Some(a) = attrs.first() {
        return Err(syntax(
            path,
            a.line,
            format!("attribute `{}` outside the library group", a.name),
        ));
    }
    match groups.len() {
        0 => Err(syntax(path, 1, "no library group in the file")),
        1 => Ok(groups.remove(0)),
        _ => Err(syntax(
            path,
            groups[1].line,
            format!(
                "a second top-level group `{}` after the library group",
                groups[1].kind
            ),
        )),
    }
}

// ---------------------------------------------------------------------------------
// The typed library
// ---------------------------------------------------------------------------------

/// The library's units, each as the size of one file unit in this reader's unit.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Units {
    /// ns per `time_unit` (Liberty's default 1 ns when absent).
    pub time_ns: f64,
    /// V per `voltage_unit` (Liberty's default 1 V when absent).
    pub voltage_v: f64,
    /// pF per `capacitive_load_unit` (required).
    pub cap_pf: f64,
    /// W per `leakage_power_unit` (required).
    pub leakage_w: f64,
}

impl Units {
    /// pJ per internal-power table unit: `capacitive_load_unit` x `voltage_unit`^2.
    pub fn energy_pj(&self) -> f64 {
        self.cap_pf * self.voltage_v * self.voltage_v
    }
}

/// A table template (`lu_table_template`, `power_lut_template`): variables and default
/// indices, as written (not yet converted: the variable says which unit applies).
#[derive(Debug, Clone, PartialEq)]
pub struct Template {
    pub name: String,
    pub variable_1: Option<String>,
    pub variable_2: Option<String>,
    pub index_1: Vec<f64>,
    pub index_2: Vec<f64>,
}

/// A table axis variable of a power table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variable {
    /// `total_output_net_capacitance` (pF)
    TotalOutputNetCapacitance,
    /// `input_transition_time` (ns)
    InputTransitionTime,
    /// `input_net_transition` (ns)
    InputNetTransition,
}

impl Variable {
    fn parse(s: &str) -> Option<Self> {
        match s {
            "total_output_net_capacitance" => Some(Variable::TotalOutputNetCapacitance),
            "input_transition_time" => Some(Variable::InputTransitionTime),
            "input_net_transition" => Some(Variable::InputNetTransition),
            _ => None,
        }
    }

    /// Whether the variable is a transition time (else a capacitance).
    pub fn is_transition(self) -> bool {
        !matches!(self, Variable::TotalOutputNetCapacitance)
    }

    /// The Liberty name.
    pub fn name(self) -> &'static str {
        match self {
            Variable::TotalOutputNetCapacitance => "total_output_net_capacitance",
            Variable::InputTransitionTime => "input_transition_time",
            Variable::InputNetTransition => "input_net_transition",
        }
    }
}

/// An internal-energy table in pJ, its indices in pF (capacitance) or ns (transition).
/// 0-D (template `scalar`: one value), 1-D (`variable_1` only) or 2-D; `values` is
/// row-major, `index_1` the slow axis (`values[i1 * index_2.len() + i2]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub template: String,
    pub variable_1: Option<Variable>,
    pub variable_2: Option<Variable>,
    pub index_1: Vec<f64>,
    pub index_2: Vec<f64>,
    pub values: Vec<f64>,
    /// The line of the table's group in the file.
    pub line: usize,
}

/// Linear interpolation along one axis: the segment holding `x`, or the end segment
/// (linear extrapolation) outside the index range. Returns (lower index, weight of the
/// upper point). A one-point axis is constant.
fn segment(index: &[f64], x: f64) -> (usize, f64) {
    let n = index.len();
    if n < 2 {
        return (0, 0.0);
    }
    let mut i = 0;
    while i + 2 < n && x > index[i + 1] {
        i += 1;
    }
    let (x0, x1) = (index[i], index[i + 1]);
    (i, (x - x0) / (x1 - x0))
}

impl Table {
    /// The energy (pJ) at output load `load_pf` and input transition `slew_ns`, each
    /// given to the axis whose variable it is (a table's axes may come in either order;
    /// a 1-D passive table ignores the load). Inside the index range: linear (1-D) or
    /// bilinear (2-D) interpolation; outside: linear extrapolation from the end segment,
    /// as static timing tools do. Extrapolated energies can become negative far outside
    /// the characterized range; the caller decides whether that range is legal.
    pub fn lookup(&self, load_pf: f64, slew_ns: f64) -> f64 {
        let coord = |v: Option<Variable>| match v {
            Some(v) if v.is_transition() => slew_ns,
            _ => load_pf,
        };
        match (self.variable_1, self.variable_2) {
            (None, _) => self.values[0],
            (Some(v1), None) => {
                let (i, t) = segment(&self.index_1, coord(Some(v1)));
                let y0 = self.values[i];
                if self.index_1.len() < 2 {
                    return y0;
                }
                y0 + t * (self.values[i + 1] - y0)
            }
            (Some(v1), Some(v2)) => {
                let n2 = self.index_2.len();
                let (i, t) = segment(&self.index_1, coord(Some(v1)));
                let (j, u) = segment(&self.index_2, coord(Some(v2)));
                let at = |a: usize, b: usize| self.values[a * n2 + b];
                let i1 = if self.index_1.len() < 2 { i } else { i + 1 };
                let j1 = if n2 < 2 { j } else { j + 1 };
                let lo = at(i, j) + u * (at(i, j1) - at(i, j));
                let hi = at(i1, j) + u * (at(i1, j1) - at(i1, j));
                lo + t * (hi - lo)
            }
        }
    }

    /// Whether (`load_pf`, `slew_ns`) lies inside the table's index range (no
    /// extrapolation needed).
    pub fn covers(&self, load_pf: f64, slew_ns: f64) -> bool {
        let inside = |v: Option<Variable>, idx: &[f64]| match v {
            None => true,
            Some(v) => {
                let x = if v.is_transition() { slew_ns } else { load_pf };
                idx.first().is_some_and(|&a| x >= a) && idx.last().is_some_and(|&b| x <= b)
            }
        };
        inside(self.variable_1, &self.index_1) && inside(self.variable_2, &self.index_2)
    }
}

/// One `internal_power` group of a pin.
#[derive(Debug, Clone, PartialEq)]
pub struct InternalPower {
    /// `related_pin` (may name several pins, space separated, as written).
    pub related_pin: Option<String>,
    /// `when` condition, if any.
    pub when: Option<String>,
    /// Energy when the pin rises (`rise_power`, or `power` which serves both edges).
    pub rise: Option<Table>,
    /// Energy when the pin falls (`fall_power`, or `power`).
    pub fall: Option<Table>,
    pub line: usize,
}

/// A pin's `direction`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Input,
    Output,
    Inout,
    Internal,
}

/// A cell pin.
#[derive(Debug, Clone, PartialEq)]
pub struct Pin {
    pub name: String,
    pub direction: Direction,
    /// `capacitance` (pF); Liberty's default 0 when absent is not applied: `None`.
    pub capacitance_pf: Option<f64>,
    pub rise_capacitance_pf: Option<f64>,
    pub fall_capacitance_pf: Option<f64>,
    /// `clock : true`.
    pub clock: bool,
    /// `function` (output pins), as written, e.g. `(!(A B))`.
    pub function: Option<String>,
    /// `three_state` condition (tristate outputs).
    pub three_state: Option<String>,
    pub internal_power: Vec<InternalPower>,
    pub line: usize,
}

/// The kind of a cell's state element.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SeqKind {
    /// `ff` or `ff_bank`: edge-triggered.
    FlipFlop,
    /// `latch` or `latch_bank`: level-sensitive.
    Latch,
}

/// A cell's state element.
#[derive(Debug, Clone, PartialEq)]
pub struct Sequential {
    pub kind: SeqKind,
    /// `clocked_on` (flip-flop) or `enable` (latch) expression as written, e.g. `CLK`,
    /// `(!CLK)`.
    pub clocked_on: String,
    /// The cell pin that expression names (the first pin name in it), e.g. `CLK`.
    pub clock_pin: Option<String>,
}

/// A cell.
#[derive(Debug, Clone, PartialEq)]
pub struct Cell {
    pub name: String,
    /// `area`, in the library's area unit.
    pub area: f64,
    /// `cell_leakage_power` (W).
    pub leakage_w: Option<f64>,
    pub sequential: Option<Sequential>,
    pub pins: Vec<Pin>,
    pub line: usize,
}

impl Cell {
    pub fn pin(&self, name: &str) -> Option<&Pin> {
        self.pins.iter().find(|p| p.name == name)
    }

    /// Pins that drive (direction output or inout).
    pub fn output_pins(&self) -> impl Iterator<Item = &Pin> {
        self.pins
            .iter()
            .filter(|p| matches!(p.direction, Direction::Output | Direction::Inout))
    }

    pub fn is_sequential(&self) -> bool {
        self.sequential.is_some()
    }
}

/// A Liberty library, read for power.
#[derive(Debug, Clone, PartialEq)]
pub struct Liberty {
    /// The file it was read from (or the name given to [`Liberty::parse`]).
    pub path: PathBuf,
    pub name: String,
    pub units: Units,
    /// `nom_voltage` (V).
    pub nom_voltage_v: Option<f64>,
    pub templates: BTreeMap<String, Template>,
    /// Cells in file order.
    pub cells: Vec<Cell>,
    /// Names of the library's `wire_load` groups (their contents are not read), and its
    /// `default_wire_load`.
    pub wire_loads: Vec<String>,
    pub default_wire_load: Option<String>,
}

fn number(s: &str, what: &str, path: &Path, line: usize) -> Result<f64, LibertyError> {
    match s.trim().parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        _ => Err(syntax(
            path,
            line,
            format!("{what}: `{s}` is not a finite number"),
        )),
    }
}

/// A number followed by a unit with an SI prefix, e.g. `1ns`, `100ps`, `1nW`, `1mV`.
/// `base` is the unit letter(s) (case-insensitive); the result is in units of
/// 10^`target_exp` of the base (ns: -9, V or W: 0).
fn unit_value(
    s: &str,
    attr: &str,
    base: &str,
    target_exp: i32,
    path: &Path,
    line: usize,
) -> Result<f64, LibertyError> {
    let t = s.trim();
    let split = t
        .find(|c: char| c.is_ascii_alphabetic())
        .filter(|&k| k > 0)
        .ok_or_else(|| {
            syntax(
                path,
                line,
                format!("{attr} \"{s}\": expected a number and a unit such as 1{base}"),
            )
        })?;
    let mag = number(&t[..split], attr, path, line)?;
    let unit = t[split..].trim().to_ascii_lowercase();
    let base_l = base.to_ascii_lowercase();
    let prefix = unit.strip_suffix(&base_l).ok_or_else(|| {
        syntax(
            path,
            line,
            format!("{attr} \"{s}\": the unit must be {base} with an SI prefix (f p n u m k)"),
        )
    })?;
    let exp = match prefix {
        "f" => -15,
        "p" => -12,
        "n" => -9,
        "u" => -6,
        "m" => -3,
        "" => 0,
        "k" => 3,
        _ => {
            return Err(syntax(
                path,
                line,
                format!("{attr} \"{s}\": unknown prefix `{prefix}` (legal: f p n u m k or none)"),
            ))
        }
    };
    Ok(mag * 10f64.powi(exp - target_exp))
}

/// Comma/space separated numbers from the strings of a complex attribute.
fn numbers(attr: &Attr, path: &Path) -> Result<Vec<f64>, LibertyError> {
    let parts: Vec<&str> = match &attr.value {
        AttrValue::Complex(v) => v.iter().map(String::as_str).collect(),
        AttrValue::Simple(v) => vec![v.as_str()],
    };
    let mut out = Vec::new();
    for p in parts {
        for tok in p.split(|c: char| c == ',' || c.is_whitespace()) {
            if !tok.is_empty() {
                out.push(number(tok, &attr.name, path, attr.line)?);
            }
        }
    }
    Ok(out)
}

fn check_index(idx: &[f64], name: &str, path: &Path, line: usize) -> Result<(), LibertyError> {
    if idx.is_empty() {
        return Err(syntax(path, line, format!("{name} is empty")));
    }
    if idx.windows(2).any(|w| w[1] <= w[0]) {
        return Err(syntax(
            path,
            line,
            format!("{name} is not strictly increasing: {idx:?}"),
        ));
    }
    Ok(())
}

impl Liberty {
    /// Reads and parses the liberty at `path`.
    pub fn read(path: &Path) -> Result<Self, LibertyError> {
        let text = std::fs::read_to_string(path).map_err(|source| LibertyError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Self::parse(&text, path)
    }

    /// Parses liberty `text`; `path` names it in errors.
    pub fn parse(text: &str, path: &Path) -> Result<Self, LibertyError> {
        let root = parse_tree(text, path)?;
        Self::from_tree(&root, path)
    }

    /// The typed library from a syntax tree ([`parse_tree`]).
    pub fn from_tree(root: &Group, path: &Path) -> Result<Self, LibertyError> {
        if root.kind != "library" {
            return Err(syntax(
                path,
                root.line,
                format!("the top-level group is `{}`, not `library`", root.kind),
            ));
        }
        let name = root.args.first().cloned().unwrap_or_default();
        let units = Self::units(root, path)?;
        let nom_voltage_v = match root.simple("nom_voltage") {
            Some((v, l)) => Some(number(v, "nom_voltage", path, l)? * units.voltage_v),
            None => None,
        };
        let mut templates = BTreeMap::new();
        for g in root
            .groups
            .iter()
            .filter(|g| g.kind == "lu_table_template" || g.kind == "power_lut_template")
        {
            let tname = g
                .args
                .first()
                .cloned()
                .ok_or_else(|| syntax(path, g.line, format!("{} without a name", g.kind)))?;
            let idx = |n: &str| -> Result<Vec<f64>, LibertyError> {
                g.attr(n).map_or(Ok(Vec::new()), |a| numbers(a, path))
            };
            let t = Template {
                name: tname.clone(),
                variable_1: g.simple("variable_1").map(|(v, _)| v.to_string()),
                variable_2: g.simple("variable_2").map(|(v, _)| v.to_string()),
                index_1: idx("index_1")?,
                index_2: idx("index_2")?,
            };
            templates.insert(tname, t);
        }
        let wire_loads = root
            .groups_of("wire_load")
            .filter_map(|g| g.args.first().cloned())
            .collect();
        let default_wire_load = root.simple("default_wire_load").map(|(v, _)| v.to_string());
        let mut lib = Liberty {
            path: path.to_path_buf(),
            name,
            units,
            nom_voltage_v,
            templates,
            cells: Vec::new(),
            wire_loads,
            default_wire_load,
        };
        for g in root.groups_of("cell") {
            let cell = lib.cell_from(g)?;
            if lib.cells.iter().any(|c| c.name == cell.name) {
                return Err(syntax(
                    path,
                    g.line,
                    format!("cell {} is defined twice", cell.name),
                ));
            }
            lib.cells.push(cell);
        }
        Ok(lib)
    }

    fn units(root: &Group, path: &Path) -> Result<Units, LibertyError> {
        let time_ns = match root.simple("time_unit") {
            Some((v, l)) => unit_value(v, "time_unit", "s", -9, path, l)?,
            None => 1.0,
        };
        let voltage_v = match root.simple("voltage_unit") {
            Some((v, l)) => unit_value(v, "voltage_unit", "V", 0, path, l)?,
            None => 1.0,
        };
        let leakage_w = match root.simple("leakage_power_unit") {
            Some((v, l)) => unit_value(v, "leakage_power_unit", "W", 0, path, l)?,
            None => {
                return Err(syntax(
                    path,
                    root.line,
                    "the library has no leakage_power_unit (needed to read cell_leakage_power)",
                ))
            }
        };
        let cap_pf = match root.attr("capacitive_load_unit") {
            Some(a) => {
                let AttrValue::Complex(v) = &a.value else {
                    return Err(syntax(
                        path,
                        a.line,
                        "capacitive_load_unit must be written (value, unit), e.g. (1, pf)",
                    ));
                };
                if v.len() != 2 {
                    return Err(syntax(
                        path,
                        a.line,
                        format!("capacitive_load_unit needs (value, unit), found {v:?}"),
                    ));
                }
                let mag = number(&v[0], "capacitive_load_unit", path, a.line)?;
                let scale = match v[1].trim().to_ascii_lowercase().as_str() {
                    "ff" => 1e-3,
                    "pf" => 1.0,
                    "nf" => 1e3,
                    other => {
                        return Err(syntax(
                            path,
                            a.line,
                            format!(
                                "capacitive_load_unit: unknown unit `{other}` (legal: ff, pf, nf)"
                            ),
                        ))
                    }
                };
                mag * scale
            }
            None => return Err(syntax(
                path,
                root.line,
                "the library has no capacitive_load_unit (needed for capacitances and energies)",
            )),
        };
        for (n, v) in [
            ("time_unit", time_ns),
            ("voltage_unit", voltage_v),
            ("leakage_power_unit", leakage_w),
            ("capacitive_load_unit", cap_pf),
        ] {
            if v <= 0.0 {
                return Err(syntax(path, root.line, format!("{n} must be positive")));
            }
        }
        Ok(Units {
            time_ns,
            voltage_v,
            cap_pf,
            leakage_w,
        })
    }

    fn cell_from(&self, g: &Group) -> Result<Cell, LibertyError> {
        let path = self.path.as_path();
        let name = g
            .args
            .first()
            .cloned()
            .ok_or_else(|| syntax(path, g.line, "cell without a name"))?;
        let area = match g.simple("area") {
            Some((v, l)) => number(v, &format!("cell {name}: area"), path, l)?,
            None => return Err(syntax(path, g.line, format!("cell {name} has no area"))),
        };
        let leakage_w = match g.simple("cell_leakage_power") {
            Some((v, l)) => Some(
                number(v, &format!("cell {name}: cell_leakage_power"), path, l)?
                    * self.units.leakage_w,
            ),
            None => None,
        };
        let mut pins = Vec::new();
        for sub in &g.groups {
            match sub.kind.as_str() {
                "pin" => {
                    if sub.args.is_empty() {
                        return Err(syntax(
                            path,
                            sub.line,
                            format!("cell {name}: pin without a name"),
                        ));
                    }
                    for pname in &sub.args {
                        let p = self.pin_from(sub, pname, &name)?;
                        if pins.iter().any(|q: &Pin| q.name == p.name) {
                            return Err(syntax(
                                path,
                                sub.line,
                                format!("cell {name}: pin {pname} is defined twice"),
                            ));
                        }
                        pins.push(p);
                    }
                }
                "bus" | "bundle" => {
                    return Err(syntax(
                        path,
                        sub.line,
                        format!(
                            "cell {name}: `{}` pins are not supported by this reader",
                            sub.kind
                        ),
                    ))
                }
                _ => {}
            }
        }
        let mut sequential = None;
        for sub in &g.groups {
            let (kind, attr) = match sub.kind.as_str() {
                "ff" | "ff_bank" => (SeqKind::FlipFlop, "clocked_on"),
                "latch" | "latch_bank" => (SeqKind::Latch, "enable"),
                _ => continue,
            };
            if sequential.is_some() {
                return Err(syntax(
                    path,
                    sub.line,
                    format!("cell {name}: more than one ff/latch group"),
                ));
            }
            let (expr, _) = sub.simple(attr).ok_or_else(|| {
                syntax(
                    path,
                    sub.line,
                    format!("cell {name}: {} group without `{attr}`", sub.kind),
                )
            })?;
            let clock_pin = expr
                .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '[' || c == ']'))
                .find(|w| pins.iter().any(|p| p.name == *w))
                .map(str::to_string);
            sequential = Some(Sequential {
                kind,
                clocked_on: expr.to_string(),
                clock_pin,
            });
        }
        Ok(Cell {
            name,
            area,
            leakage_w,
            sequential,
            pins,
            line: g.line,
        })
    }

    fn pin_from(&self, g: &Group, pname: &str, cell: &str) -> Result<Pin, LibertyError> {
        let path = self.path.as_path();
        let what = |a: &str| format!("cell {cell} pin {pname}: {a}");
        let direction = match g.simple("direction") {
            Some(("input", _)) => Direction::Input,
            Some(("output", _)) => Direction::Output,
            Some(("inout", _)) => Direction::Inout,
            Some(("internal", _)) => Direction::Internal,
            Some((other, l)) => {
                return Err(syntax(
                    path,
                    l,
                    what(&format!(
                        "direction `{other}` (legal: input, output, inout, internal)"
                    )),
                ))
            }
            None => return Err(syntax(path, g.line, what("no direction"))),
        };
        let cap = |a: &str| -> Result<Option<f64>, LibertyError> {
            match g.simple(a) {
                Some((v, l)) => Ok(Some(number(v, &what(a), path, l)? * self.units.cap_pf)),
                None => Ok(None),
            }
        };
        let clock = match g.simple("clock") {
            Some(("true", _)) => true,
            Some(("false", _)) | None => false,
            Some((other, l)) => {
                return Err(syntax(
                    path,
                    l,
                    what(&format!("clock `{other}` (legal: true, false)")),
                ))
            }
        };
        let mut internal_power = Vec::new();
        for ip in g.groups_of("internal_power") {
            let mut rise = None;
            let mut fall = None;
            for t in &ip.groups {
                let (to_rise, to_fall) = match t.kind.as_str() {
                    "rise_power" => (true, false),
                    "fall_power" => (false, true),
                    "power" => (true, true),
                    _ => continue,
                };
                let table = self.table_from(t, &what(&t.kind))?;
                if (to_rise && rise.is_some()) || (to_fall && fall.is_some()) {
                    return Err(syntax(
                        path,
                        t.line,
                        what(&format!(
                            "a second {} table in one internal_power",
                            if to_rise { "rise" } else { "fall" }
                        )),
                    ));
                }
                if to_rise {
                    rise = Some(table.clone());
                }
                if to_fall {
                    fall = Some(table);
                }
            }
            internal_power.push(InternalPower {
                related_pin: ip.simple("related_pin").map(|(v, _)| v.to_string()),
                when: ip.simple("when").map(|(v, _)| v.to_string()),
                rise,
                fall,
                line: ip.line,
            });
        }
        Ok(Pin {
            name: pname.to_string(),
            direction,
            capacitance_pf: cap("capacitance")?,
            rise_capacitance_pf: cap("rise_capacitance")?,
            fall_capacitance_pf: cap("fall_capacitance")?,
            clock,
            function: g.simple("function").map(|(v, _)| v.to_string()),
            three_state: g.simple("three_state").map(|(v, _)| v.to_string()),
            internal_power,
            line: g.line,
        })
    }

    fn table_from(&self, g: &Group, what: &str) -> Result<Table, LibertyError> {
        let path = self.path.as_path();
        let tname = g
            .args
            .first()
            .cloned()
            .ok_or_else(|| syntax(path, g.line, format!("{what}: table without a template")))?;
        let values = match g.attr("values") {
            Some(a) => numbers(a, path)?,
            None => return Err(syntax(path, g.line, format!("{what}: no values"))),
        };
        let e = self.units.energy_pj();
        if tname == "scalar" {
            if values.len() != 1 {
                return Err(syntax(
                    path,
                    g.line,
                    format!("{what}: a scalar table has {} values, not 1", values.len()),
                ));
            }
            return Ok(Table {
                template: tname,
                variable_1: None,
                variable_2: None,
                index_1: Vec::new(),
                index_2: Vec::new(),
                values: vec![values[0] * e],
                line: g.line,
            });
        }
        let tpl = self.templates.get(&tname).ok_or_else(|| {
            syntax(
                path,
                g.line,
                format!("{what}: unknown template `{tname}` (no lu_table_template or power_lut_template of that name)"),
            )
        })?;
        let var = |v: &Option<String>| -> Result<Option<Variable>, LibertyError> {
            match v {
                None => Ok(None),
                Some(s) => Variable::parse(s).map(Some).ok_or_else(|| {
                    syntax(
                        path,
                        g.line,
                        format!("{what}: template `{tname}` has variable `{s}`; a power table's variables must be total_output_net_capacitance, input_transition_time or input_net_transition"),
                    )
                }),
            }
        };
        let variable_1 = var(&tpl.variable_1)?;
        let variable_2 = var(&tpl.variable_2)?;
        if variable_1.is_none() {
            return Err(syntax(
                path,
                g.line,
                format!("{what}: template `{tname}` has no variable_1"),
            ));
        }
        let scale = |v: Option<Variable>| match v {
            Some(v) if v.is_transition() => self.units.time_ns,
            _ => self.units.cap_pf,
        };
        let index =
            |n: &str, from_tpl: &[f64], v: Option<Variable>| -> Result<Vec<f64>, LibertyError> {
                if v.is_none() {
                    return Ok(Vec::new());
                }
                let raw = match g.attr(n) {
                    Some(a) => numbers(a, path)?,
                    None => from_tpl.to_vec(),
                };
                check_index(&raw, &format!("{what}: {n}"), path, g.line)?;
                Ok(raw.into_iter().map(|x| x * scale(v)).collect())
            };
        let index_1 = index("index_1", &tpl.index_1, variable_1)?;
        let index_2 = index("index_2", &tpl.index_2, variable_2)?;
        let want = index_1.len() * index_2.len().max(1);
        if values.len() != want {
            return Err(syntax(
                path,
                g.line,
                format!(
                    "{what}: {} values for a {}x{} table",
                    values.len(),
                    index_1.len(),
                    index_2.len().max(1)
                ),
            ));
        }
        Ok(Table {
            template: tname,
            variable_1,
            variable_2,
            index_1,
            index_2,
            values: values.into_iter().map(|x| x * e).collect(),
            line: g.line,
        })
    }

    /// The cell called `name`.
    pub fn cell(&self, name: &str) -> Option<&Cell> {
        self.cells.iter().find(|c| c.name == name)
    }

    /// Every cell with an output pin has a leakage value and, on each output pin, an
    /// internal_power group with a table; and the library has `nom_voltage`. The error
    /// names every cell that fails, and why.
    pub fn check_power(&self) -> Result<(), LibertyError> {
        let mut cells = Vec::new();
        let mut problems = Vec::new();
        if self.nom_voltage_v.is_none() {
            cells.push(String::new());
            problems.push("the library has no nom_voltage".to_string());
        }
        for c in &self.cells {
            if c.output_pins().next().is_none() {
                continue;
            }
            let mut why = Vec::new();
            if c.leakage_w.is_none() {
                why.push("no cell_leakage_power".to_string());
            }
            for p in c.output_pins() {
                let has = p
                    .internal_power
                    .iter()
                    .any(|ip| ip.rise.is_some() || ip.fall.is_some());
                if !has {
                    why.push(format!("output pin {} has no internal_power table", p.name));
                }
            }
            if !why.is_empty() {
                problems.push(format!(
                    "cell {} (line {}): {}",
                    c.name,
                    c.line,
                    why.join(", ")
                ));
                cells.push(c.name.clone());
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(LibertyError::MissingPower {
                path: self.path.clone(),
                cells,
                problems,
            })
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p() -> &'static Path {
        Path::new("<inline>")
    }

    #[test]
    fn tokens_comments_strings_and_continuations() {
        let t = "/* a\n comment */ library(x) {\n a : \"q\\\n r\" ;\n v ( \\\n \"1, 2\", \\\n \"3\" );\n}";
        let g = parse_tree(t, p()).unwrap();
        assert_eq!(
            (g.kind.as_str(), g.args.clone(), g.line),
            ("library", vec!["x".to_string()], 2)
        );
        assert_eq!(g.attrs[0].value, AttrValue::Simple("q r".into()));
        assert_eq!(g.attrs[0].line, 3);
        assert_eq!(
            g.attrs[1].value,
            AttrValue::Complex(vec!["1, 2".into(), "3".into()])
        );
        assert_eq!(g.attrs[1].line, 5);
        assert_eq!(numbers(&g.attrs[1], p()).unwrap(), vec![1.0, 2.0, 3.0]);
    }

    #[test]
    fn units_with_prefixes() {
        assert_eq!(unit_value("1ns", "t", "s", -9, p(), 1).unwrap(), 1.0);
        assert!((unit_value("10ps", "t", "s", -9, p(), 1).unwrap() - 0.01).abs() < 1e-15);
        assert!((unit_value("1nW", "l", "W", 0, p(), 1).unwrap() - 1e-9).abs() < 1e-24);
        assert!((unit_value("1mV", "v", "V", 0, p(), 1).unwrap() - 1e-3).abs() < 1e-18);
        let e = unit_value("1xs", "time_unit", "s", -9, p(), 7)
            .unwrap_err()
            .to_string();
        assert!(
            e.starts_with("<inline>:7: time_unit \"1xs\": unknown prefix `x`"),
            "{e}"
        );
        let e = unit_value("ns", "time_unit", "s", -9, p(), 7)
            .unwrap_err()
            .to_string();
        assert!(e.contains("expected a number and a unit"), "{e}");
    }

    #[test]
    fn segment_interpolates_and_extrapolates() {
        let idx = [1.0, 2.0, 4.0];
        assert_eq!(segment(&idx, 1.5), (0, 0.5));
        assert_eq!(segment(&idx, 3.0), (1, 0.5));
        assert_eq!(segment(&idx, 0.0), (0, -1.0));
        assert_eq!(segment(&idx, 6.0), (1, 2.0));
        assert_eq!(segment(&[5.0], 9.0), (0, 0.0));
    }
}
