//! The standard-cell netlist of the energy flow: Yosys's flattened, liberty-mapped
//! `write_verilog -noattr -noexpr -nohex -nodec -simple-lhs` output parsed into a
//! bit-level graph (cells, one-bit nets, ports), and written back out with plain names
//! for Verilator (activity) and OpenSTA (power).
//!
//! * **Blocks**: synthesis keeps the receive top's children (`ffe`, `slicer`, `cdr`,
//!   `agc`, ...) as modules and names their cells `u<N>` before flattening, so a cell of
//!   block `ffe` is `\ffe.u123` in the flat netlist: its block is the name's part before
//!   the first `.`; a cell without one (the top's own glue: read-back register, bus) is
//!   in block `top`.
//! * **Nets**: every bit of every wire is a node; `assign` statements join nodes (one
//!   net) or tie them to a constant. Nets get the names `n<k>` in the written netlists;
//!   a net holding a port bit is called by that port bit instead (so the written
//!   netlist needs an `assign` only where two ports share a net or a port is constant).
//! * **Cells** are renamed `c<k>` (k = position in [`Netlist::cells`]), the same in both
//!   written netlists, so OpenSTA's `c12/Y` and Verilator's `c12` are the same cell.

use crate::SynthError;
use std::collections::HashMap;

/// A pin's connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conn {
    Net(usize),
    Const(bool),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    Input,
    Output,
}

/// A port of the top module; `bits[0]` is the LSB.
#[derive(Clone, Debug)]
pub struct Port {
    pub name: String,
    pub dir: Dir,
    /// the declared index of the LSB (`[msb:lsb]`), 0 for a scalar
    pub lsb: i64,
    /// whether it was declared as a vector (`[0:0]` counts)
    pub vector: bool,
    pub bits: Vec<Conn>,
}

/// One standard-cell instance.
#[derive(Clone, Debug)]
pub struct Cell {
    /// the name in Yosys's netlist (without the leading backslash)
    pub orig: String,
    /// the liberty cell
    pub ty: String,
    /// index into [`Netlist::blocks`]
    pub block: usize,
    /// (pin, connection) in netlist order
    pub pins: Vec<(String, Conn)>,
}

#[derive(Clone, Debug)]
pub struct Netlist {
    pub top: String,
    pub ports: Vec<Port>,
    pub cells: Vec<Cell>,
    /// block names, `top` first
    pub blocks: Vec<String>,
    pub n_nets: usize,
    /// a readable name of each net (one of the Yosys wire bits it joins)
    pub net_names: Vec<String>,
}

/// A bit reference while parsing: a wire bit or a constant.
#[derive(Clone, Copy, Debug)]
enum Bit {
    Node(usize),
    Const(bool),
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
    path: &'a str,
}

impl<'a> Parser<'a> {
    fn err(&self, msg: &str) -> SynthError {
        let line = self.src[..self.pos].matches('\n').count() + 1;
        SynthError::Energy(format!("{}:{line}: {msg}", self.path))
    }
    fn skip_ws(&mut self) {
        loop {
            let rest = &self.src[self.pos..];
            let t = rest.trim_start();
            self.pos += rest.len() - t.len();
            if t.starts_with("/*") {
                match t.find("*/") {
                    Some(e) => self.pos += e + 2,
                    None => self.pos = self.src.len(),
                }
            } else if t.starts_with("//") {
                match t.find('\n') {
                    Some(e) => self.pos += e + 1,
                    None => self.pos = self.src.len(),
                }
            } else {
                return;
            }
        }
    }
    fn peek(&mut self) -> Option<char> {
        self.skip_ws();
        self.src[self.pos..].chars().next()
    }
    fn eat(&mut self, c: char) -> bool {
        if self.peek() == Some(c) {
            self.pos += c.len_utf8();
            true
        } else {
            false
        }
    }
    fn expect(&mut self, c: char) -> Result<(), SynthError> {
        if self.eat(c) {
            Ok(())
        } else {
            Err(self.err(&format!("expected `{c}`")))
        }
    }
    /// An identifier: plain, or escaped (`\` up to white space; returned without `\`).
    fn ident(&mut self) -> Result<String, SynthError> {
        self.skip_ws();
        let rest = &self.src[self.pos..];
        if let Some(r) = rest.strip_prefix('\\') {
            let end = r.find(char::is_whitespace).unwrap_or(r.len());
            self.pos += 1 + end;
            return Ok(r[..end].to_string());
        }
        let end = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '$'))
            .unwrap_or(rest.len());
        if end == 0 {
            return Err(self.err("expected an identifier"));
        }
        self.pos += end;
        Ok(rest[..end].to_string())
    }
    fn number(&mut self) -> Result<i64, SynthError> {
        self.skip_ws();
        let rest = &self.src[self.pos..];
        let end = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '-'))
            .unwrap_or(rest.len());
        let v = rest[..end]
            .parse()
            .map_err(|_| self.err("expected a number"))?;
        self.pos += end;
        Ok(v)
    }
    /// `[msb:lsb]` or `[i]`, as (msb, lsb).
    fn range(&mut self) -> Result<Option<(i64, i64)>, SynthError> {
        if !self.eat('[') {
            return Ok(None);
        }
        let a = self.number()?;
        let b = if self.eat(':') { self.number()? } else { a };
        self.expect(']')?;
        Ok(Some((a, b)))
    }
    /// Skip to just after the next `;`.
    fn skip_statement(&mut self) {
        match self.src[self.pos..].find(';') {
            Some(e) => self.pos += e + 1,
            None => self.pos = self.src.len(),
        }
    }
}

struct Wire {
    msb: i64,
    lsb: i64,
    first: usize,
}

struct Builder {
    wires: HashMap<String, Wire>,
    parent: Vec<usize>,
    konst: Vec<Option<bool>>,
    node_names: Vec<String>,
}

impl Builder {
    fn find(&mut self, mut a: usize) -> usize {
        while self.parent[a] != a {
            self.parent[a] = self.parent[self.parent[a]];
            a = self.parent[a];
        }
        a
    }
    fn declare(&mut self, name: &str, r: Option<(i64, i64)>) {
        let (msb, lsb) = r.unwrap_or((0, 0));
        let n = (msb - lsb).unsigned_abs() as usize + 1;
        let first = self.parent.len();
        for k in 0..n {
            self.parent.push(first + k);
            self.konst.push(None);
            self.node_names.push(if r.is_some() {
                format!("{name}[{}]", index_of(msb, lsb, k))
            } else {
                name.to_string()
            });
        }
        self.wires
            .insert(name.to_string(), Wire { msb, lsb, first });
    }
    /// The nodes of `name[msb:lsb]` (or the whole wire), MSB first.
    fn bits(
        &self,
        p: &Parser,
        name: &str,
        r: Option<(i64, i64)>,
    ) -> Result<Vec<usize>, SynthError> {
        let w = self
            .wires
            .get(name)
            .ok_or_else(|| p.err(&format!("undeclared wire `{name}`")))?;
        let (a, b) = r.unwrap_or((w.msb, w.lsb));
        let pos = |i: i64| -> Result<usize, SynthError> {
            let off = if w.msb >= w.lsb { i - w.lsb } else { w.lsb - i };
            let n = (w.msb - w.lsb).abs();
            if off < 0 || off > n {
                return Err(p.err(&format!("`{name}[{i}]` outside [{}:{}]", w.msb, w.lsb)));
            }
            Ok(w.first + off as usize)
        };
        let step = if a >= b { -1 } else { 1 };
        let mut out = vec![];
        let mut i = a;
        loop {
            out.push(pos(i)?);
            if i == b {
                break;
            }
            i += step;
        }
        Ok(out)
    }
    fn union(&mut self, a: usize, b: usize) {
        let (ra, rb) = (self.find(a), self.find(b));
        if ra != rb {
            self.parent[ra] = rb;
            if let Some(v) = self.konst[ra] {
                self.konst[rb] = Some(v);
            }
        }
    }
    fn tie(&mut self, a: usize, v: bool) {
        let r = self.find(a);
        self.konst[r] = Some(v);
    }
}

/// The index of bit `k` (0 = LSB) of a wire declared `[msb:lsb]`.
fn index_of(msb: i64, lsb: i64, k: usize) -> i64 {
    if msb >= lsb {
        lsb + k as i64
    } else {
        lsb - k as i64
    }
}

/// One expression: a concatenation, a (sliced) wire or a sized constant; bits MSB first.
fn expr(p: &mut Parser, b: &Builder) -> Result<Vec<Bit>, SynthError> {
    if p.eat('{') {
        let mut out = vec![];
        loop {
            out.extend(expr(p, b)?);
            if p.eat('}') {
                return Ok(out);
            }
            p.expect(',')?;
        }
    }
    p.skip_ws();
    let rest = &p.src[p.pos..];
    if rest.starts_with(|c: char| c.is_ascii_digit()) {
        // <width>'b<bits>
        let q = rest
            .find('\'')
            .ok_or_else(|| p.err("expected a sized constant"))?;
        let width: usize = rest[..q]
            .trim()
            .parse()
            .map_err(|_| p.err("bad constant width"))?;
        let body = &rest[q + 1..];
        let Some(digits) = body.strip_prefix('b') else {
            return Err(p.err("only binary constants are read (write_verilog -nohex -nodec)"));
        };
        let end = digits
            .find(|c: char| !"01xz".contains(c))
            .unwrap_or(digits.len());
        let ds = &digits[..end];
        if ds.len() != width {
            return Err(p.err("constant width differs from its digits"));
        }
        p.pos += q + 2 + end;
        // x/z bits do not occur after `setundef -zero`; read as 0
        return Ok(ds.chars().map(|c| Bit::Const(c == '1')).collect());
    }
    let name = p.ident()?;
    let r = p.range()?;
    Ok(b.bits(p, &name, r)?.into_iter().map(Bit::Node).collect())
}

impl Netlist {
    /// Parse Yosys's flat netlist of module `top`. `path` names the text in errors.
    pub fn parse(src: &str, top: &str, path: &str) -> Result<Netlist, SynthError> {
        let mut p = Parser { src, pos: 0, path };
        let mut b = Builder {
            wires: HashMap::new(),
            parent: vec![],
            konst: vec![],
            node_names: vec![],
        };
        let mut port_decl: Vec<(String, Dir, Option<(i64, i64)>)> = vec![];
        let mut raw_cells: Vec<(String, String, Vec<(String, Vec<Bit>)>)> = vec![];
        // find `module top(`
        let mut found = false;
        while p.peek().is_some() {
            let kw = p.ident()?;
            if kw == "module" {
                let name = p.ident()?;
                p.skip_statement();
                if name == top {
                    found = true;
                    break;
                }
            } else {
                p.skip_statement();
            }
        }
        if !found {
            return Err(SynthError::Energy(format!("{path}: no module `{top}`")));
        }
        loop {
            if p.peek().is_none() {
                return Err(p.err("end of file inside the module"));
            }
            let kw = p.ident()?;
            match kw.as_str() {
                "endmodule" => break,
                "input" | "output" | "wire" | "reg" => {
                    let r = p.range()?;
                    let name = p.ident()?;
                    p.expect(';')?;
                    if kw == "input" || kw == "output" {
                        let d = if kw == "input" {
                            Dir::Input
                        } else {
                            Dir::Output
                        };
                        port_decl.push((name, d, r));
                    } else if !b.wires.contains_key(&name) {
                        b.declare(&name, r);
                    }
                }
                "inout" => return Err(p.err("inout ports are not supported")),
                "assign" => {
                    let lhs = expr(&mut p, &b)?;
                    p.expect('=')?;
                    let rhs = expr(&mut p, &b)?;
                    p.expect(';')?;
                    if lhs.len() != rhs.len() {
                        return Err(p.err("assign: widths differ"));
                    }
                    for (l, r) in lhs.into_iter().zip(rhs) {
                        match (l, r) {
                            (Bit::Node(a), Bit::Node(c)) => b.union(a, c),
                            (Bit::Node(a), Bit::Const(v)) => b.tie(a, v),
                            _ => return Err(p.err("assign to a constant")),
                        }
                    }
                }
                _ => {
                    // a cell: TYPE NAME ( .PIN(expr), ... );
                    let ty = kw;
                    let name = p.ident()?;
                    p.expect('(')?;
                    let mut pins = vec![];
                    if !p.eat(')') {
                        loop {
                            p.expect('.')?;
                            let pin = p.ident()?;
                            p.expect('(')?;
                            let e = if p.peek() == Some(')') {
                                vec![]
                            } else {
                                expr(&mut p, &b)?
                            };
                            p.expect(')')?;
                            pins.push((pin, e));
                            if p.eat(')') {
                                break;
                            }
                            p.expect(',')?;
                        }
                    }
                    p.expect(';')?;
                    raw_cells.push((ty, name, pins));
                }
            }
        }
        // nets: one per union-find root that is not a constant
        let mut net_of_root: HashMap<usize, usize> = HashMap::new();
        let mut net_names = vec![];
        let n_nodes = b.parent.len();
        let mut conn = vec![Conn::Const(false); n_nodes];
        for node in 0..n_nodes {
            let r = b.find(node);
            conn[node] = match b.konst[r] {
                Some(v) => Conn::Const(v),
                None => {
                    let next = net_of_root.len();
                    let k = *net_of_root.entry(r).or_insert(next);
                    if k == net_names.len() {
                        net_names.push(b.node_names[r].clone());
                    }
                    Conn::Net(k)
                }
            };
        }
        let to_conn = |bit: Bit| match bit {
            Bit::Node(n) => conn[n],
            Bit::Const(v) => Conn::Const(v),
        };
        let mut ports = vec![];
        for (name, dir, r) in port_decl {
            let nodes = b.bits(&p, &name, r)?;
            // bits() is MSB first
            let bits: Vec<Conn> = nodes.iter().rev().map(|&n| conn[n]).collect();
            ports.push(Port {
                name,
                dir,
                lsb: r.map_or(0, |r| r.1.min(r.0)),
                vector: r.is_some(),
                bits,
            });
        }
        let mut blocks = vec!["top".to_string()];
        let mut cells = vec![];
        for (ty, name, pins) in raw_cells {
            let block_name = match name.split_once('.') {
                Some((blk, _)) => blk.to_string(),
                None => "top".to_string(),
            };
            let block = match blocks.iter().position(|x| *x == block_name) {
                Some(k) => k,
                None => {
                    blocks.push(block_name);
                    blocks.len() - 1
                }
            };
            let mut cp = vec![];
            for (pin, e) in pins {
                match e.as_slice() {
                    [bit] => cp.push((pin, to_conn(*bit))),
                    [] => {} // unconnected pin
                    _ => {
                        return Err(SynthError::Energy(format!(
                            "{path}: cell {name} pin {pin} is {} bits wide; standard-cell pins are one bit",
                            e.len()
                        )))
                    }
                }
            }
            cells.push(Cell {
                orig: name,
                ty,
                block,
                pins: cp,
            });
        }
        Ok(Netlist {
            top: top.to_string(),
            ports,
            cells,
            blocks,
            n_nets: net_names.len(),
            net_names,
        })
    }

    /// The net each port bit is, for naming: net -> (port index, bit index), the first
    /// port bit found on it.
    fn port_bit_of_net(&self) -> Vec<Option<(usize, usize)>> {
        let mut v = vec![None; self.n_nets];
        for (pi, p) in self.ports.iter().enumerate() {
            for (bi, c) in p.bits.iter().enumerate() {
                if let Conn::Net(n) = c {
                    if v[*n].is_none() && p.dir == Dir::Input {
                        v[*n] = Some((pi, bi));
                    }
                }
            }
        }
        // outputs only name nets no input names
        for (pi, p) in self.ports.iter().enumerate() {
            for (bi, c) in p.bits.iter().enumerate() {
                if let Conn::Net(n) = c {
                    if v[*n].is_none() {
                        v[*n] = Some((pi, bi));
                    }
                }
            }
        }
        v
    }

    /// The netlist as Verilog with plain names: cells `c<k>`, nets `n<k>` or their port
    /// bit. `port_name` renders a port's name (escaped for Verilator, which keeps
    /// `adc$0` as the harness expects; sanitized for OpenSTA).
    pub fn to_verilog(&self, port_name: &dyn Fn(&str) -> String) -> String {
        let pb = self.port_bit_of_net();
        let bit_ref = |pi: usize, bi: usize| self.port_bit_name(pi, bi, port_name);
        let net_ref = |c: Conn| match c {
            Conn::Const(v) => format!("1'b{}", v as u8),
            Conn::Net(n) => match pb[n] {
                Some((pi, bi)) => bit_ref(pi, bi),
                None => format!("n{n}"),
            },
        };
        let mut s = format!(
            "// cporx energy flow: {} cells, {} nets (synth/src/energy/netlist.rs)\nmodule {}(",
            self.cells.len(),
            self.n_nets,
            self.top
        );
        s += &self
            .ports
            .iter()
            .map(|p| port_name(&p.name))
            .collect::<Vec<_>>()
            .join(", ");
        s += ");\n";
        for p in &self.ports {
            let d = if p.dir == Dir::Input {
                "input"
            } else {
                "output"
            };
            if p.vector {
                s += &format!(
                    "  {d} [{}:{}] {};\n",
                    p.lsb + p.bits.len() as i64 - 1,
                    p.lsb,
                    port_name(&p.name)
                );
            } else {
                s += &format!("  {d} {};\n", port_name(&p.name));
            }
        }
        for n in 0..self.n_nets {
            if pb[n].is_none() {
                s += &format!("  wire n{n};\n");
            }
        }
        // port bits that are not their net's name, or constant: assign
        for (pi, p) in self.ports.iter().enumerate() {
            if p.dir != Dir::Output {
                continue;
            }
            for (bi, c) in p.bits.iter().enumerate() {
                let named = matches!(c, Conn::Net(n) if pb[*n] == Some((pi, bi)));
                if !named {
                    s += &format!("  assign {} = {};\n", bit_ref(pi, bi), net_ref(*c));
                }
            }
        }
        for (k, c) in self.cells.iter().enumerate() {
            let pins: Vec<String> = c
                .pins
                .iter()
                .map(|(pin, cn)| format!(".{pin}({})", net_ref(*cn)))
                .collect();
            s += &format!("  {} c{k} ({});\n", c.ty, pins.join(", "));
        }
        s += "endmodule\n";
        s
    }

    /// Bit `bi` (0 = LSB) of port `pi` as the written netlists name it (`name[index]`,
    /// or the bare name of a scalar), `port_name` rendering the port's name.
    pub fn port_bit_name(
        &self,
        pi: usize,
        bi: usize,
        port_name: &dyn Fn(&str) -> String,
    ) -> String {
        let p = &self.ports[pi];
        if p.vector {
            format!("{}[{}]", port_name(&p.name), p.lsb + bi as i64)
        } else {
            port_name(&p.name)
        }
    }

    /// The name the written netlists give every net (`n<k>`, or its port bit), with
    /// `port_name` as in [`Self::to_verilog`].
    pub fn written_net_names(&self, port_name: &dyn Fn(&str) -> String) -> Vec<String> {
        let pb = self.port_bit_of_net();
        (0..self.n_nets)
            .map(|n| match pb[n] {
                Some((pi, bi)) => self.port_bit_name(pi, bi, port_name),
                None => format!("n{n}"),
            })
            .collect()
    }

    /// Cells per block.
    pub fn cells_of(&self, block: usize) -> impl Iterator<Item = (usize, &Cell)> {
        self.cells
            .iter()
            .enumerate()
            .filter(move |(_, c)| c.block == block)
    }
}

/// A port name as a plain identifier (`adc$0` -> `adc_0`), for OpenSTA.
pub fn plain_name(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

/// A port name as Verilog source: escaped when it is not a plain identifier.
pub fn verilog_name(s: &str) -> String {
    if s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !s.starts_with(|c: char| c.is_ascii_digit())
    {
        s.to_string()
    } else {
        format!("\\{s} ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NET: &str = r"
/* Generated by Yosys */
module top(clock, a, \y$0 , k);
  input clock;
  wire clock;
  input [1:0] a;
  wire [1:0] a;
  output [2:0] \y$0 ;
  wire [2:0] \y$0 ;
  output k;
  wire k;
  wire _1_;
  wire [3:0] \ffe.acc ;
  assign \y$0 [2] = 1'b1;
  assign \ffe.acc [3:2] = { \ffe.acc [1], _1_ };
  assign k = \y$0 [0];
  NAND2X1 \ffe.u7  (
    .A(a[0]),
    .B(a[1]),
    .Y(_1_)
  );
  DFFPOSX1 _9_ (
    .CLK(clock),
    .D(\ffe.acc [2]),
    .Q(\y$0 [0])
  );
  INVX1 \slicer.u1  (
    .A(\ffe.acc [3]),
    .Y(\y$0 [1])
  );
endmodule
";

    #[test]
    fn parses_blocks_nets_constants_and_aliases() {
        let n = Netlist::parse(NET, "top", "test.v").unwrap();
        assert_eq!(n.blocks, vec!["top", "ffe", "slicer"]);
        assert_eq!(n.cells.len(), 3);
        assert_eq!(n.cells[0].block, 1);
        assert_eq!(n.cells[1].block, 0);
        assert_eq!(n.cells[2].block, 2);
        // acc[2] = _1_ (the NAND's output) feeds the DFF's D
        let nand_y = n.cells[0].pins[2].1;
        assert_eq!(n.cells[1].pins[1].1, nand_y);
        // y$0[2] is constant 1; k and y$0[0] are one net, the DFF's Q
        let y = &n.ports[2];
        assert_eq!(y.bits[2], Conn::Const(true));
        assert_eq!(n.ports[3].bits[0], y.bits[0]);
        assert_eq!(n.cells[1].pins[2].1, y.bits[0]);
        let v = n.to_verilog(&verilog_name);
        assert!(v.contains("NAND2X1 c0 (.A(a[0]), .B(a[1]), .Y(n"), "{v}");
        assert!(v.contains("assign \\y$0 [2] = 1'b1;"), "{v}");
        assert!(v.contains("assign k = \\y$0 [0];"), "{v}");
        let s = n.to_verilog(&plain_name);
        assert!(s.contains("output [2:0] y_0;"), "{s}");
    }

    #[test]
    fn errors_name_the_line() {
        let bad = NET.replace(".B(a[1])", ".B(a[5])");
        let e = Netlist::parse(&bad, "top", "bad.v")
            .unwrap_err()
            .to_string();
        assert!(e.contains("bad.v:") && e.contains("a[5]"), "{e}");
        let e = Netlist::parse(NET, "nope", "x.v").unwrap_err().to_string();
        assert!(e.contains("no module `nope`"), "{e}");
    }
}
