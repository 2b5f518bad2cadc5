"""HTTP handlers, one module per surface: PCC callbacks, admin and reads, CareSoft."""
