//! The audit pages' own words, in Dutch and English (the shared vocabulary is in `super`).
