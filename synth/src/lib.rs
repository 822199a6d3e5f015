//! cporx-synth: synthesis flows. Today: tool discovery shared with the checks; ECP5 builds come with issue 4.
