#!/usr/bin/python3
"""A scripted stand-in for the literature-search services, for mlgym's tests.

It answers on 127.0.0.1 in the shape of two real services, so the production HTTP
client (libcurl) is what gets exercised:

  * Semantic Scholar's Academic Graph API: GET /graph/v1/paper/search and
    GET /graph/v1/paper/search/bulk (JSON);
  * the arXiv API: GET /api/query (an Atom feed);
  * plain files: GET /files/NAME serves NAME from the --files directory, so that
    PDF links can be downloaded.

    fake_literature.py --script SCRIPT.json --port-file PATH --log REQUESTS.jsonl
                       [--files DIR]

SCRIPT.json is {"papers": [PAPER, ...], "s2": [BEHAVIOUR, ...], "arxiv": [BEHAVIOUR, ...]}.
A PAPER is an object with the keys
    paperId   Semantic Scholar's id (default "paper<index>")
    title, abstract, year, authors (a list of names)
    pdf       the open-access PDF URL, or null (Semantic Scholar's openAccessPdf)
    arxivId   e.g. "2502.14499"; a paper without one is unknown to the arXiv side
    arxivPdf  optional; the arXiv entry's PDF link (default http://arxiv.org/pdf/<id>v1)
    published optional; the arXiv entry's date (default <year>-01-01T00:00:00Z)
In any URL the text "{base}" becomes this server's own http://127.0.0.1:PORT, since
the port is not known when the script is written.

Both services search the same papers: a paper matches when its title or abstract
contains any word of the query (case-insensitive substring), in list order. arXiv's
field prefixes (ti:, abs:, all:, ...) and its AND/OR/ANDNOT are dropped from the words;
arXiv's id_list selects papers by arxivId instead (a version suffix is ignored).

Each service takes its own BEHAVIOUR list, one item per request to it; when it runs out
every request is answered normally. A BEHAVIOUR is "ok", or an object with any of
    delay        seconds to wait first (alone, the answer is then normal)
    status       an error status; the body is the service's error shape
    retry_after  a Retry-After header value to send with the status
    malformed    true: a 200 whose body is cut off, so not valid JSON or XML

Every request (GET or HEAD) is appended to the log as one JSON line before it is
answered:
    {"n", "service", "method", "path", "query", "x_api_key", "user_agent", "behaviour"}
where service is "s2", "arxiv", "files" or "other", query maps each parameter to its
value (a list when it is repeated), and behaviour is the item the request used ("ok"
once the list is used up; null for files, other paths and refused requests). A request
the service would refuse (a search without a query, an unknown field, a bad number) is
answered 400 in the service's shape and uses up no behaviour. The port (chosen by the kernel) is written to PATH once the server
listens; SIGTERM or SIGINT stops it with status 0.

Python 3 standard library only; written for mlgym.
"""

import argparse
import json
import os
import re
import sys
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, unquote, urlsplit
from xml.sax.saxutils import escape, quoteattr
import loopback  # Tests/Servers/loopback.py: serving until SIGTERM, the port file

S2_SEARCH = "/graph/v1/paper/search"
S2_BULK = "/graph/v1/paper/search/bulk"
ARXIV_QUERY = "/api/query"
FILES = "/files/"

# Fields a Semantic Scholar search may ask for; any other is refused with 400, as the
# real service does. Those the script cannot fill are answered with null (or 0).
S2_FIELDS = {
    "paperId", "corpusId", "externalIds", "url", "title", "abstract", "venue", "year",
    "authors", "openAccessPdf", "isOpenAccess", "publicationDate", "citationCount",
    "referenceCount", "influentialCitationCount", "fieldsOfStudy", "publicationTypes",
    "journal", "tldr",
}
S2_DEFAULT_FIELDS = ["paperId", "title", "abstract", "year", "authors", "openAccessPdf"]

ARXIV_WORD_DROPS = {"AND", "OR", "ANDNOT"}


class Script:
    """The papers, the behaviours and the request log, shared by all handler threads."""

    def __init__(self, script_path, log_path):
        with open(script_path, encoding="utf-8") as handle:
            script = json.load(handle)
        if not isinstance(script, dict):
            raise ValueError(f"{script_path}: expected a JSON object")
        for key in ("papers", "s2", "arxiv"):
            if not isinstance(script.get(key, []), list):
                raise ValueError(f"{script_path}: '{key}' must be a list")
        self.papers = []
        for index, paper in enumerate(script.get("papers", [])):
            if not isinstance(paper, dict):
                raise ValueError(f"{script_path}: paper {index} is not an object")
            self.papers.append({"paperId": f"paper{index}", **paper})
        self.behaviours = {"s2": list(script.get("s2", [])),
                           "arxiv": list(script.get("arxiv", []))}
        self.used = {"s2": 0, "arxiv": 0}
        self.requests = 0
        self.base = ""  # http://127.0.0.1:PORT, set once the server listens
        self.lock = threading.Lock()
        self.log = open(log_path, "a", encoding="utf-8")

    def record(self, entry, service=None):
        """Takes the service's next behaviour (when service is given), logs the request
        with it, and returns the behaviour ("ok" when the list is used up)."""
        with self.lock:
            behaviour = None
            if service is not None:
                items = self.behaviours[service]
                index = self.used[service]
                self.used[service] += 1
                behaviour = items[index] if index < len(items) else "ok"
            self.requests += 1
            self.log.write(json.dumps({"n": self.requests, **entry,
                                       "behaviour": behaviour}) + "\n")
            self.log.flush()
            return behaviour

    def url(self, value):
        return value.replace("{base}", self.base) if isinstance(value, str) else value


def query_words(text, arxiv=False):
    words = []
    for token in text.split():
        if arxiv:
            if token in ARXIV_WORD_DROPS:
                continue
            token = re.sub(r"^[A-Za-z_]+:", "", token)  # ti:, abs:, all:, au: ...
        words.extend(w.lower() for w in re.findall(r"[A-Za-z0-9]+", token))
    return words


def matching(papers, words):
    found = []
    for paper in papers:
        haystack = f"{paper.get('title') or ''}\n{paper.get('abstract') or ''}".lower()
        if any(word in haystack for word in words):
            found.append(paper)
    return found


def author_id(name):
    return str(zlib.crc32(name.encode("utf-8")))


def s2_paper(script, paper, fields):
    arxiv_id = paper.get("arxivId")
    pdf = script.url(paper.get("pdf"))
    values = {
        "paperId": paper["paperId"],
        "corpusId": zlib.crc32(paper["paperId"].encode("utf-8")),
        "externalIds": {"ArXiv": arxiv_id} if arxiv_id else {},
        "url": f"https://www.semanticscholar.org/paper/{paper['paperId']}",
        "title": paper.get("title"),
        "abstract": paper.get("abstract"),
        "venue": paper.get("venue", ""),
        "year": paper.get("year"),
        "authors": [{"authorId": author_id(name), "name": name}
                    for name in paper.get("authors", [])],
        "openAccessPdf": {"url": pdf, "status": "GREEN"} if pdf else None,
        "isOpenAccess": bool(pdf),
        "publicationDate": None,
        "citationCount": 0,
        "referenceCount": 0,
        "influentialCitationCount": 0,
        "fieldsOfStudy": None,
        "publicationTypes": None,
        "journal": None,
        "tldr": None,
    }
    # paperId comes first and always, as with the real service.
    return {"paperId": values["paperId"],
            **{field: values[field] for field in fields if field != "paperId"}}


def arxiv_version_id(paper):
    arxiv_id = paper["arxivId"]
    return arxiv_id if re.search(r"v\d+$", arxiv_id) else arxiv_id + "v1"


def arxiv_entry(script, paper):
    vid = arxiv_version_id(paper)
    published = paper.get("published") or f"{paper.get('year') or 2000}-01-01T00:00:00Z"
    pdf = script.url(paper.get("arxivPdf")) or f"http://arxiv.org/pdf/{vid}"
    authors = "".join(f"\n    <author>\n      <name>{escape(name)}</name>\n    </author>"
                      for name in paper.get("authors", []))
    return (
        "  <entry>\n"
        f"    <id>http://arxiv.org/abs/{vid}</id>\n"
        f"    <updated>{published}</updated>\n"
        f"    <published>{published}</published>\n"
        f"    <title>{escape(paper.get('title') or '')}</title>\n"
        f"    <summary>{escape(paper.get('abstract') or '')}</summary>"
        f"{authors}\n"
        f"    <link href=\"http://arxiv.org/abs/{vid}\" rel=\"alternate\" type=\"text/html\"/>\n"
        f"    <link title=\"pdf\" href={quoteattr(pdf)} rel=\"related\" type=\"application/pdf\"/>\n"
        "    <arxiv:primary_category xmlns:arxiv=\"http://arxiv.org/schemas/atom\" "
        "term=\"cs.LG\" scheme=\"http://arxiv.org/schemas/atom\"/>\n"
        "    <category term=\"cs.LG\" scheme=\"http://arxiv.org/schemas/atom\"/>\n"
        "  </entry>\n"
    )


def arxiv_feed(title_query, entries, total, start, size):
    now = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    return (
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        "<feed xmlns=\"http://www.w3.org/2005/Atom\" "
        "xmlns:opensearch=\"http://a9.com/-/spec/opensearch/1.1/\" "
        "xmlns:arxiv=\"http://arxiv.org/schemas/atom\">\n"
        f"  <link href={quoteattr('http://arxiv.org/api/query?' + quote(title_query, safe='=&'))}"
        " rel=\"self\" type=\"application/atom+xml\"/>\n"
        f"  <title type=\"html\">ArXiv Query: {escape(title_query)}</title>\n"
        f"  <id>http://arxiv.org/api/{zlib.crc32(title_query.encode('utf-8')):08x}</id>\n"
        f"  <updated>{now}</updated>\n"
        f"  <opensearch:totalResults>{total}</opensearch:totalResults>\n"
        f"  <opensearch:startIndex>{start}</opensearch:startIndex>\n"
        f"  <opensearch:itemsPerPage>{size}</opensearch:itemsPerPage>\n"
        + "".join(entries)
        + "</feed>\n"
    )


class Refused(Exception):
    """A request the service would answer 400 to; carries the body and its type."""

    def __init__(self, body, content_type):
        super().__init__(body)
        self.body, self.content_type = body, content_type


def int_param(params, name, default, refuse):
    value = params.get(name, default)
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise refuse(f"{name} must be an integer, got {value!r}")
    if number < 0:
        raise refuse(f"{name} must not be negative, got {number}")
    return number


def s2_refuse(message):
    return Refused(json.dumps({"error": message}).encode("utf-8"), "application/json")


def arxiv_refuse(message):
    # arXiv reports a bad query as a feed holding one entry titled "Error".
    entry = ("  <entry>\n    <id>http://arxiv.org/api/errors</id>\n"
             "    <title>Error</title>\n"
             f"    <summary>{escape(message)}</summary>\n"
             "    <author>\n      <name>arXiv api core</name>\n    </author>\n  </entry>\n")
    return Refused(arxiv_feed("", [entry], 1, 0, 1).encode("utf-8"), "application/atom+xml")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as libcurl gets from the real services
    script = None    # set in main()
    files_dir = None  # set in main()

    def log_message(self, format, *args):
        pass  # the JSON log is the record; keep stderr quiet

    def do_HEAD(self):
        self.do_GET(head=True)

    def do_GET(self, head=False):
        self.head = head
        parts = urlsplit(self.path)
        path = parts.path
        raw = parse_qs(parts.query, keep_blank_values=True)
        query = {k: v[0] if len(v) == 1 else v for k, v in raw.items()}
        params = {k: v[-1] for k, v in raw.items()}
        if path.rstrip("/") in (S2_SEARCH, S2_BULK):
            service = "s2"
        elif path.rstrip("/") == ARXIV_QUERY:
            service = "arxiv"
        elif path.startswith(FILES):
            service = "files"
        else:
            service = "other"
        entry = {
            "service": service, "method": self.command, "path": path, "query": query,
            "x_api_key": self.headers.get("x-api-key"),
            "user_agent": self.headers.get("User-Agent"),
        }

        if service == "s2":
            try:
                answer = self.s2_search(path.rstrip("/") == S2_BULK, params)
            except Refused as refused:
                self.script.record(entry)
                self.send(400, refused.body, refused.content_type)
                return
            self.behave("s2", entry, answer, self.s2_error,
                        b'{"total": 3, "offset": 0, "data": [{"paperId": "')
        elif service == "arxiv":
            try:
                answer = self.arxiv_query(params)
            except Refused as refused:
                self.script.record(entry)
                self.send(400, refused.body, refused.content_type)
                return
            self.behave("arxiv", entry, answer, self.arxiv_error,
                        b'<?xml version="1.0" encoding="UTF-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
                        b'  <entry>\n    <id>http://arxiv.org/abs/')
        elif service == "files":
            self.script.record(entry)
            self.serve_file(path[len(FILES):])
        else:
            self.script.record(entry)
            if path == "/health":
                self.send(200, b"ok", "text/plain")
            else:
                self.send_json(404, {"message": f"no such path: {path}"})

    # --- Semantic Scholar -------------------------------------------------------------

    def s2_search(self, bulk, params):
        """The (body, content type) of a successful search; raises Refused."""
        if not params.get("query", "").strip():
            raise s2_refuse("Missing required parameter: 'query'")
        fields = [f for f in params.get("fields", "").split(",") if f.strip()]
        fields = [f.strip() for f in fields]
        unknown = [f for f in fields if f not in S2_FIELDS]
        if unknown:
            raise s2_refuse(f"Unrecognized or unsupported fields: {unknown}")
        limit = int_param(params, "limit", 1000 if bulk else 100, s2_refuse)
        offset = 0 if bulk else int_param(params, "offset", 0, s2_refuse)
        if not bulk and limit > 100:
            raise s2_refuse("Requested limit exceeds the maximum of 100")
        found = matching(self.script.papers, query_words(params["query"]))
        page = found[offset:offset + limit]
        data = [s2_paper(self.script, p, fields or S2_DEFAULT_FIELDS) for p in page]
        if bulk:
            body = {"total": len(found), "token": None, "data": data}
        else:
            body = {"total": len(found), "offset": offset}
            if offset + len(page) < len(found):
                body["next"] = offset + len(page)  # absent on the last page, as for real
            body["data"] = data
        return json.dumps(body).encode("utf-8"), "application/json"

    @staticmethod
    def s2_error(status):
        if status == 429:
            message = ("Too Many Requests. Please wait and try again or apply for a key "
                       "for higher rate limits.")
            body = {"message": message, "code": "429"}
        elif status >= 500:
            body = {"message": "Internal Server Error"}
        else:
            body = {"error": f"scripted error {status}"}
        return json.dumps(body).encode("utf-8"), "application/json"

    # --- arXiv ------------------------------------------------------------------------

    def arxiv_query(self, params):
        start = int_param(params, "start", 0, arxiv_refuse)
        size = int_param(params, "max_results", 10, arxiv_refuse)
        search = params.get("search_query", "")
        id_list = [i.strip() for i in params.get("id_list", "").split(",") if i.strip()]
        papers = [p for p in self.script.papers if p.get("arxivId")]
        if id_list:
            wanted = {re.sub(r"v\d+$", "", i) for i in id_list}
            papers = [p for p in papers if re.sub(r"v\d+$", "", p["arxivId"]) in wanted]
        if search.strip():
            papers = matching(papers, query_words(search, arxiv=True))
        elif not id_list:
            papers = []
        page = papers[start:start + size]
        title_query = (f"search_query={search}&id_list={','.join(id_list)}"
                       f"&start={start}&max_results={size}")
        feed = arxiv_feed(title_query, [arxiv_entry(self.script, p) for p in page],
                          len(papers), start, size)
        return feed.encode("utf-8"), "application/atom+xml; charset=utf-8"

    @staticmethod
    def arxiv_error(status):
        if status in (429, 503):
            return b"Rate exceeded.", "text/plain"
        return f"scripted error {status}".encode("utf-8"), "text/plain"

    # --- shared -----------------------------------------------------------------------

    def behave(self, service, entry, answer, error, truncated):
        behaviour = self.script.record(entry, service)
        if not isinstance(behaviour, dict):
            behaviour = {}  # "ok" (or anything unrecognised)
        time.sleep(float(behaviour.get("delay", 0)))
        headers = {}
        if behaviour.get("retry_after") is not None:
            headers["Retry-After"] = behaviour["retry_after"]
        status = int(behaviour.get("status", 200))
        if status >= 400:
            self.send(status, *error(status), headers)
        elif behaviour.get("malformed"):
            self.send(200, truncated, answer[1], headers)
        else:
            self.send(status, *answer, headers)

    def serve_file(self, name):
        directory = self.files_dir
        name = unquote(name)
        if (directory is None or not name or "/" in name or name in (".", "..")
                or "\0" in name):
            self.send_json(404, {"message": "not found"})
            return
        try:
            with open(os.path.join(directory, name), "rb") as handle:
                data = handle.read()
        except OSError:
            self.send_json(404, {"message": "not found"})
            return
        kind = "application/pdf" if name.lower().endswith(".pdf") else "application/octet-stream"
        self.send(200, data, kind)

    def send_json(self, status, obj, headers=None):
        self.send(status, json.dumps(obj).encode("utf-8"), "application/json", headers)

    def send(self, status, data, content_type, headers=None):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, str(value))
        self.end_headers()
        if not getattr(self, "head", False):
            self.wfile.write(data)


def main():
    parser = argparse.ArgumentParser(description="Scripted Semantic Scholar/arXiv server")
    parser.add_argument("--script", required=True, help="papers and behaviours, as JSON")
    parser.add_argument("--port-file", required=True, help="where to write the port")
    parser.add_argument("--log", required=True, help="JSON-lines log of the requests")
    parser.add_argument("--files", help="directory served under /files/")
    args = parser.parse_args()

    try:
        Handler.script = Script(args.script, args.log)
    except (OSError, ValueError) as error:
        print(f"fake_literature: {error}", file=sys.stderr)
        return 2
    if args.files is not None and not os.path.isdir(args.files):
        print(f"fake_literature: {args.files}: not a directory", file=sys.stderr)
        return 2
    Handler.files_dir = args.files

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    Handler.script.base = f"http://127.0.0.1:{server.server_address[1]}"
    return loopback.serve(server, args.port_file)


if __name__ == "__main__":
    sys.exit(main())
