"""What the test servers in this folder share: serving on 127.0.0.1 until SIGTERM, with the port written
atomically where the test waits for it. Python 3 standard library only; written for mlgym."""
import os
import signal
import sys


def serve(server, port_file):
    """Serves `server` (already bound) until SIGTERM or SIGINT, after writing its port to `port_file`."""
    # sys.exit in the handler unwinds serve_forever in the main thread; the handler threads are daemons, so a
    # request still sleeping in a "delay" does not hold us up.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(0))
    # Written to a temporary name and renamed, so a reader never sees a partial port.
    with open(port_file + ".tmp", "w") as handle:
        handle.write(f"{server.server_address[1]}\n")
    os.rename(port_file + ".tmp", port_file)
    try:
        server.serve_forever()
    finally:
        server.server_close()
    return 0
