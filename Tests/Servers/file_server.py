"""Serves a directory over HTTP on 127.0.0.1 (a package index made of wheels, or any files), logging each request
path to stderr. Usage: file_server.py DIRECTORY PORT_FILE. Python 3 standard library only; written for mlgym."""
import functools
import http.server
import sys

import loopback  # Tests/Servers/loopback.py: serving until SIGTERM, the port file


def main():
    directory, port_file = sys.argv[1], sys.argv[2]
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=directory)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    return loopback.serve(server, port_file)


if __name__ == "__main__":
    sys.exit(main())
