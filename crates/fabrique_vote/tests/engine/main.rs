//! Integration tests of the counting engine (one test binary, one module per topic).

mod common;
mod condorcet;
mod errors;
mod mj;
mod mj_vectors;
mod motion;
mod properties;
mod scoring;
mod stv;
