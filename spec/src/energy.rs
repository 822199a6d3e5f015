//! Energy constants with their sources (issue 14; the text is docs/energy-sources.md):
//! the ADC's energy per conversion from a Walden figure of merit, the scaling of an
//! energy measured on the OSU 0.18 um library (1.8 V) to a modern node, and the
//! published figures the energy report compares against.
//!
//! Inputs and outputs are plain `f64` in the unit each name states (fJ, pJ, V, nm, %).
//! Nothing here is measured by cporx: every number is a published one or derived from
//! published ones by the arithmetic shown, and a report that prints one must say so
//! ("scaled", "published").

use std::ops::RangeInclusive;

// ---------------------------------------------------------------------------------
// ADC: Walden figure of merit
// ---------------------------------------------------------------------------------

/// The reference ADC's energy per conversion at its top rate, pJ: L. Kull et al., "A
/// 24-72-GS/s 8-b Time-Interleaved SAR ADC With 2.0-3.3-pJ/Conversion and >30 dB SNDR
/// at Nyquist in 14-nm CMOS FinFET", IEEE JSSC 53(12), pp. 3508-3516, Dec. 2018,
/// doi:10.1109/JSSC.2017.2775482 (the upper end of the title's 2.0-3.3 pJ range).
pub const ADC_REF_ENERGY_PER_CONV_PJ: f64 = 3.3;
/// The reference ADC's SNDR at Nyquist, dB (the title's lower bound "> 30 dB").
pub const ADC_REF_SNDR_DB: f64 = 30.0;
/// The reference ADC's sampling-rate range, GS/s.
pub const ADC_REF_RATE_GSPS: (f64, f64) = (24.0, 72.0);
/// Where [`ADC_WALDEN_FOM_FJ`] comes from, for reports.
pub const ADC_SOURCE: &str = "Walden FOM derived from L. Kull et al., IEEE JSSC 53(12) 2018 (24-72 GS/s 8-b TI-SAR ADC, 14 nm FinFET, 2.0-3.3 pJ/conversion, SNDR > 30 dB at Nyquist): 3.3 pJ / 2^ENOB, ENOB = (30 - 1.76) / 6.02";

/// Walden figure of merit FOM_W = P / (f_s 2^ENOB) = E_conv / 2^ENOB, fJ per
/// conversion-step, at Nyquist input: [`ADC_REF_ENERGY_PER_CONV_PJ`] = 3.3 pJ over
/// 2^ENOB with ENOB = ([`ADC_REF_SNDR_DB`] - 1.76) / 6.02 = 4.69, i.e. 3300 / 25.83 =
/// 127.8 fJ/conv-step ([`ADC_SOURCE`]). Both published figures are bounds in the
/// conservative direction (the highest energy, the lowest SNDR), so this is an upper
/// bound on that design's FOM; its reported figures at each rate are not used here.
/// For comparison: a single-channel 1.25 GS/s 7-b SAR ADC in 28 nm reports 34.4
/// fJ/conv-step at Nyquist (A. T. Ramkaj et al., IEEE JSSC 53(7), 2018), without the
/// interleaving, buffering and clocking overhead of a 50+ GS/s converter.
pub const ADC_WALDEN_FOM_FJ: f64 = 127.8;

/// ENOB from SNDR (dB): (SNDR - 1.76) / 6.02.
pub fn enob_from_sndr_db(sndr_db: f64) -> f64 {
    (sndr_db - 1.76) / 6.02
}

/// The resolutions [`adc_energy_per_sample_pj`] is meant for. The 10-bit limit is this
/// module's choice: the Walden FOM is the figure for medium-resolution converters, the
/// Schreier FOM the one for noise-limited high-resolution ones (B. Murmann's ADC
/// Performance Survey, <https://github.com/bmurmann/ADC-survey>, tabulates both), and
/// a 50 GS/s converter of more than 10 effective bits is far outside the published ones.
pub const ADC_BITS_RANGE: RangeInclusive<u32> = 1..=10;

/// `bits` if it is in [`ADC_BITS_RANGE`], else an error naming the input and the range.
pub fn check_adc_bits(bits: u32) -> Result<u32, String> {
    if ADC_BITS_RANGE.contains(&bits) {
        Ok(bits)
    } else {
        Err(format!(
            "ADC bits {bits} is out of range; legal: {} to {} (the Walden figure of merit describes medium-resolution ADCs)",
            ADC_BITS_RANGE.start(),
            ADC_BITS_RANGE.end()
        ))
    }
}

/// The ADC's energy per sample (one conversion), pJ: FOM_W x 2^bits, with `bits` the
/// ADC's ENOB taken as its resolution (a real converter's ENOB is below its nominal
/// bits, so a design that needs `bits` effective bits is charged for `bits`, not for
/// the nominal width of a converter that would deliver them). Per bit of PAM-4 data at
/// one sample per symbol this is divided by 2. Callers check `bits` with
/// [`check_adc_bits`] first; the formula itself is defined for any `bits`.
pub fn adc_energy_per_sample_pj(bits: u32) -> f64 {
    ADC_WALDEN_FOM_FJ * 2f64.powi(bits.min(1023) as i32) * 1e-3
}

// ---------------------------------------------------------------------------------
// Node scaling
// ---------------------------------------------------------------------------------

/// The node of the measured library: OSU 0.18 um standard cells.
pub const LIB_NODE_NM: u32 = 180;
/// The measured library's supply (its `nom_voltage`), V.
pub const LIB_VDD_V: f64 = 1.8;
/// The modern node the scaled estimate is for (the smallest node of the source).
pub const SCALE_NODE_NM: u32 = 7;
/// The supply assumed at [`SCALE_NODE_NM`], V: the nominal supply of the 7 nm
/// predictive technology model (PTM-MG HP) the source's 7 nm fit is built on.
pub const SCALE_NODE_VDD_V: f64 = 0.7;

/// Energy-per-operation fit of A. Stillmaker and B. Baas, "Scaling equations for the
/// accurate prediction of CMOS device performance from 180 nm to 7 nm", Integration,
/// the VLSI Journal 58 (2017) 74-81, doi:10.1016/j.vlsi.2017.02.002, Table 5, as
/// `[a2, a1, a0]` with E(V) = a2 V^2 + a1 V + a0 (relative units; only ratios mean
/// anything): the 180 nm row (a first-order fit, a2 = 0).
pub const STILLMAKER_ENERGY_180NM: [f64; 3] = [0.0, 24.64, -17.98];
/// The same table's 7 nm high-performance (PTM HP) row.
pub const STILLMAKER_ENERGY_7NM_HP: [f64; 3] = [0.1776, -0.09097, 0.02447];

/// A Stillmaker-Baas energy fit at `vdd_v`.
pub fn stillmaker_energy(coeffs: [f64; 3], vdd_v: f64) -> f64 {
    coeffs[0] * vdd_v * vdd_v + coeffs[1] * vdd_v + coeffs[2]
}

/// Energy at [`SCALE_NODE_NM`] (0.7 V) per energy at 180 nm (1.8 V):
/// E_7nm(0.7) / E_180nm(1.8) = 0.047815 / 26.372 = 0.0018131 (1/551.5), from
/// [`STILLMAKER_ENERGY_7NM_HP`] and [`STILLMAKER_ENERGY_180NM`]. The coefficients were
/// read from two public ports of Table 5 (UCLA NanoCAD's `nodeScale.py`, and the
/// Accelergy/hwcomponents technology-scaling module, which agree on every row both
/// have; the second has no 180 nm row), checked against the authors' published erratum
/// (their worked example uses the 65 nm and 32 nm rows, which match); the paper's table
/// itself was not available here. For comparison, classical C V^2 scaling (C with
/// feature size) gives [`ENERGY_SCALE_CLASSICAL_CV2`] = 1/170.
pub const ENERGY_SCALE_180_TO_NODE: f64 = 0.001_813_097_224_328_833;

/// Classical constant-field C V^2 scaling from 180 nm, 1.8 V to 7 nm, 0.7 V, with
/// capacitance proportional to feature size: (7 / 180) (0.7 / 1.8)^2 = 1/170. Shown
/// beside [`ENERGY_SCALE_180_TO_NODE`] as the textbook estimate it improves on.
pub const ENERGY_SCALE_CLASSICAL_CV2: f64 = 0.005_881_344_307_270_231;

/// Where [`ENERGY_SCALE_180_TO_NODE`] comes from, for reports.
pub const SCALE_SOURCE: &str = "A. Stillmaker, B. Baas, Integration 58 (2017) 74-81, Table 5 energy fits: E_7nm-HP(0.7 V) / E_180nm(1.8 V) = 1/551.5";

/// An energy measured on the 180 nm library, scaled to [`SCALE_NODE_NM`] by
/// [`ENERGY_SCALE_180_TO_NODE`]. Always label the result as scaled: it assumes the
/// same netlist, activity and relative wire load at the new node.
pub fn scaled_pj(measured_180nm_pj: f64) -> f64 {
    measured_180nm_pj * ENERGY_SCALE_180_TO_NODE
}

// ---------------------------------------------------------------------------------
// Published comparison points
// ---------------------------------------------------------------------------------

/// A published figure the energy report quotes: `low..=high` in `unit` (equal for a
/// single value), `qualifier` "under" for an upper bound, empty otherwise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Published {
    pub what: &'static str,
    pub qualifier: &'static str,
    pub low: f64,
    pub high: f64,
    pub unit: &'static str,
    pub source: &'static str,
}

/// A 113 Gb/s PAM-4 die-to-die (XSR) chiplet lane with a 3-tap TX FFE: under 1.1 pJ/bit
/// in 5 nm (transceiver, TX and RX).
pub const XSR_113G_5NM: Published = Published {
    what: "113 Gb/s PAM-4 XSR die-to-die transceiver lane, LUT-based 3-tap TX FFE, 5 nm, 1-12 dB loss, BER < 1e-9",
    qualifier: "under",
    low: 1.1,
    high: 1.1,
    unit: "pJ/bit",
    source: "G. Gangasani et al., \"A 1.1-pJ/b/Lane, 1.8-Tb/s Chiplet Using 113-Gb/s PAM-4 Transceiver With Equalization Strategy to Reduce Fractionally Spaced 0.5-UI ISI in 5-nm CMOS\", IEEE Solid-State Circuits Letters 8 (2025) 33-36, doi:10.1109/LSSC.2025.3526877",
};

/// The low end of ADC-based PAM-4 receivers: 3.62 pJ/bit (56 Gb/s, 6-bit TI-SAR ADC
/// and 2-tap DFE, 32 nm SOI, 202.7 mW, 11 dB channel at 14 GHz).
pub const ADC_RX_56G_32NM: Published = Published {
    what: "56 Gb/s 4-PAM receiver, 6-bit TI-SAR ADC, quarter-rate speculative 2-tap DFE, 32 nm SOI, 11 dB at 14 GHz",
    qualifier: "",
    low: 3.62,
    high: 3.62,
    unit: "pJ/bit",
    source: "IBM Research, \"A 3.6pJ/b 56Gb/s 4-PAM receiver with 6-Bit TI-SAR ADC and quarter-rate speculative 2-tap DFE in 32 nm CMOS\" (conference paper; abstract at research.ibm.com)",
};

/// The high end: 8.25 pJ/bit (32 Gb/s, 6-bit 2-bit/stage TI-SAR ADC, embedded 3-tap
/// FFE, 65 nm, 27-30 dB channels), front end, ADC and DSP included.
pub const ADC_RX_32G_65NM: Published = Published {
    what: "32 Gb/s ADC-based PAM-4 receiver, 32-way 6-bit 2-bit/stage SAR ADC, 3-tap embedded FFE, partially unrolled DFE, 65 nm, 27-30 dB loss",
    qualifier: "",
    low: 8.25,
    high: 8.25,
    unit: "pJ/bit",
    source: "\"A 32 Gb/s ADC-based PAM-4 receiver with 2-bit/stage SAR ADC and partially-unrolled DFE\" (conference paper, 65 nm GP CMOS); journal version \"A 52-Gb/s ADC-Based PAM-4 Receiver With Comparator-Assisted 2-bit/Stage SAR ADC and Partially Unrolled DFE in 65-nm CMOS\", IEEE JSSC",
};

/// A 112 Gb/s PAM-4 transmit precoder (1+0.5D TX-DFE) with an 8-tap FFE, digital,
/// 14 nm: 0.3 pJ/bit (the digital equalizer only, not the driver).
pub const TX_FFE8_112G_14NM: Published = Published {
    what: "112 Gb/s PAM-4 1+0.5D TX-DFE precoder and 8-tap FFE (digital), 14 nm FinFET",
    qualifier: "",
    low: 0.3,
    high: 0.3,
    unit: "pJ/bit",
    source: "IBM Research, \"A 0.3pJ/bit 112Gb/s PAM4 1+0.5D TX-DFE Precoder and 8-Tap FFE in 14nm CMOS\", Symposium on VLSI Circuits 2018",
};

/// A pluggable module's DSP as a share of the module's power.
pub const PLUGGABLE_DSP_SHARE: Published = Published {
    what: "DSP share of a pluggable optical module's power",
    qualifier: "",
    low: 25.0,
    high: 30.0,
    unit: "%",
    source: "as quoted in issue 14 (no primary source found)",
};

/// The power saving claimed for co-packaged optics over pluggables.
pub const CPO_SAVING_CLAIM: Published = Published {
    what: "power saving claimed for co-packaged optics against pluggable modules",
    qualifier: "",
    low: 30.0,
    high: 50.0,
    unit: "%",
    source:
        "as quoted in issue 14 (industry claim; only trade and vendor pages found, no measurement)",
};

/// Every published figure, in report order.
pub const PUBLISHED: [Published; 6] = [
    XSR_113G_5NM,
    ADC_RX_56G_32NM,
    ADC_RX_32G_65NM,
    TX_FFE8_112G_14NM,
    PLUGGABLE_DSP_SHARE,
    CPO_SAVING_CLAIM,
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walden_fom_is_derived_from_the_published_figures() {
        let enob = enob_from_sndr_db(ADC_REF_SNDR_DB);
        assert!((enob - 4.691).abs() < 1e-3, "{enob}");
        let fom = ADC_REF_ENERGY_PER_CONV_PJ * 1e3 / 2f64.powf(enob);
        assert!((fom - ADC_WALDEN_FOM_FJ).abs() < 0.05, "{fom}");
        // back: the FOM at the reference ENOB gives the reference energy
        let e = ADC_WALDEN_FOM_FJ * 2f64.powf(enob) * 1e-3;
        assert!((e - ADC_REF_ENERGY_PER_CONV_PJ).abs() < 0.01, "{e}");
    }

    #[test]
    fn adc_energy_doubles_per_bit() {
        // 6 bits: 127.8 fJ x 64 = 8.1792 pJ
        assert!((adc_energy_per_sample_pj(6) - 8.1792).abs() < 1e-12);
        assert!((adc_energy_per_sample_pj(1) - 0.2556).abs() < 1e-12);
        for b in 1..10 {
            let (lo, hi) = (adc_energy_per_sample_pj(b), adc_energy_per_sample_pj(b + 1));
            assert!(hi > lo && (hi / lo - 2.0).abs() < 1e-12, "{b}");
        }
        assert_eq!(check_adc_bits(6), Ok(6));
        for bad in [0, 11, 64] {
            let e = check_adc_bits(bad).unwrap_err();
            assert!(
                e.starts_with(&format!("ADC bits {bad} is out of range; legal: 1 to 10")),
                "{e}"
            );
        }
    }

    #[test]
    fn node_scale_is_the_ratio_of_the_fits() {
        let e180 = stillmaker_energy(STILLMAKER_ENERGY_180NM, LIB_VDD_V);
        let e7 = stillmaker_energy(STILLMAKER_ENERGY_7NM_HP, SCALE_NODE_VDD_V);
        assert!((e180 - 26.372).abs() < 1e-9 && (e7 - 0.047815).abs() < 1e-9);
        assert!((e7 / e180 / ENERGY_SCALE_180_TO_NODE - 1.0).abs() < 1e-12);
        assert!((1.0 / ENERGY_SCALE_180_TO_NODE - 551.54).abs() < 0.01);
        // the authors' erratum example: 32 nm HP at 0.9 V over 65 nm at 1.3 V = 0.1755
        let hp32 = stillmaker_energy([0.8367, -0.4341, 0.1701], 0.9);
        let n65 = stillmaker_energy([3.755, -4.398, 1.975], 1.3);
        assert!((hp32 / n65 - 0.1755).abs() < 1e-4);
        let classical =
            (SCALE_NODE_NM as f64 / LIB_NODE_NM as f64) * (SCALE_NODE_VDD_V / LIB_VDD_V).powi(2);
        assert!((classical / ENERGY_SCALE_CLASSICAL_CV2 - 1.0).abs() < 1e-12);
        assert!((scaled_pj(551.5424) - 1.0).abs() < 1e-6);
        assert!(scaled_pj(2.0) < scaled_pj(3.0));
    }

    #[test]
    fn published_figures_are_ordered_and_sourced() {
        for p in PUBLISHED {
            assert!(p.low <= p.high && p.low > 0.0, "{}", p.what);
            assert!(!p.source.is_empty() && !p.what.is_empty());
        }
        // the 3.6-8.25 pJ/bit range is the two receivers'
        assert_eq!((ADC_RX_56G_32NM.low, ADC_RX_32G_65NM.high), (3.62, 8.25));
    }
}
