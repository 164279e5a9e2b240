/* Header-only target: the protocol is shared by CSandbox (the daemon side) and mlgym-init. */
