//! The real-time audio engine: the compiled processing graph, the audio callback side, the
//! transport and the backends, plus the instruments that turn notes into sound. It knows the
//! model and `dsp`, never the terminal, the store or the assistant.

pub mod instrument;
