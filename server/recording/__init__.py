"""Recording: policy and per-room rules, the recorder, Janus's part, the store, retention,
conversion, the service-side hub and the IT command line (docs/architecture.md)."""
