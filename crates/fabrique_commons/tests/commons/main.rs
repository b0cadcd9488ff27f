//! Integration tests of fabrique_commons.
