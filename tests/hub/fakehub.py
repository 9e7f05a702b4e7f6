#!/usr/bin/env python3
"""A fake Hugging Face Hub for the hub tests: the API subset of shared/docs/HUB.md §3.3, served
from real folders on disk, with faults a test asks for.

    fakehub.py --repo tiny/stories260K=/path/to/folder [--private-repo org/x=DIR] [--token T]
               [--port 0] [--synthetic 23] [--tree-page-size 1000] [--watch-stdin]

Prints the port it listens on (one line) on stdout, then serves until killed (or until stdin
closes with --watch-stdin, so a crashed test never leaves it behind).

Served:
  GET  /api/models?search=&author=&sort=&limit=&cursor=   list, paginated by a Link rel="next" header
  GET  /api/models/{repo}[/revision/{rev}][?blobs=true]  model info with siblings (sizes, LFS ids)
  GET  /api/models/{repo}/tree/{rev}[/{path}]?recursive=  file tree, paginated by Link
  GET  /api/whoami-v2                                     Bearer token check (401 otherwise)
  HEAD/GET /{repo}/resolve/{rev}/{path}                   regular files: 200 with ETag = git sha1;
                                                          LFS files: 302 to /_cdn/{sha256} with
                                                          X-Linked-Etag / X-Linked-Size
  GET  /_cdn/{sha256}                                     LFS bytes, with Range support (on --cdn-host
                                                          when given: another name for this server)
Test control (JSON):
  POST /_fake/faults   {"path": "model.safetensors", "kind": "drop", "after": 300000, "times": 1}
                       kind: drop (close after `after` body bytes), status (answer `status`, with
                       `retry_after` seconds), corrupt (same length, wrong bytes), slow
                       (`bytes_per_s`), ignore_range (200 with the whole body to a Range request).
                       `path` is a repo file path ("*" = any file) or, with "api": true, a
                       request path prefix such as /api/models. `method` defaults to GET;
                       `times` defaults to 1, -1 = forever.
  POST /_fake/reset    clears faults and the request log
  GET  /_fake/log      every request so far: method, path, file, range, auth, status, sent

LFS files are those with the extensions in LFS_EXTENSIONS, as a typical .gitattributes marks
them; a virtual .gitattributes file says so, like on the real Hub.
"""
import argparse
import hashlib
import http.server
import json
import os
import socket
import sys
import threading
import time
import urllib.parse

LFS_EXTENSIONS = (".safetensors", ".bin", ".model", ".gguf", ".pt", ".pth", ".onnx", ".h5", ".msgpack")
GITATTRIBUTES = "".join(f"*{ext} filter=lfs diff=lfs merge=lfs -text\n" for ext in LFS_EXTENSIONS).encode()


def git_blob_sha1(data):
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


class RepoFile:
    def __init__(self, path, data):
        self.path = path
        self.data = data
        self.size = len(data)
        self.lfs = path.endswith(LFS_EXTENSIONS)
        self.sha256 = hashlib.sha256(data).hexdigest()
        if self.lfs:
            pointer = f"version https://git-lfs.github.com/spec/v1\noid sha256:{self.sha256}\nsize {self.size}\n".encode()
            self.pointer_size = len(pointer)
            self.oid = git_blob_sha1(pointer)
        else:
            self.pointer_size = 0
            self.oid = git_blob_sha1(data)

    def etag(self):
        return self.sha256 if self.lfs else self.oid


class Repo:
    def __init__(self, repo_id, folder, private=False):
        self.id = repo_id
        self.private = private
        self.files = {".gitattributes": RepoFile(".gitattributes", GITATTRIBUTES)}
        for root, dirs, names in os.walk(folder):
            dirs.sort()
            for name in sorted(names):
                full = os.path.join(root, name)
                rel = os.path.relpath(full, folder).replace(os.sep, "/")
                with open(full, "rb") as f:
                    self.files[rel] = RepoFile(rel, f.read())
        h = hashlib.sha1(repo_id.encode())
        for path in sorted(self.files):
            h.update(f"{path}\0{self.files[path].oid}\n".encode())
        self.commit = h.hexdigest()
        self.revisions = {"main": self.commit}

    def resolve(self, rev):
        if rev in self.revisions:
            return self.revisions[rev]
        return rev if rev == self.commit else None

    def dirs(self):
        out = set()
        for p in self.files:
            parts = p.split("/")[:-1]
            for i in range(1, len(parts) + 1):
                out.add("/".join(parts[:i]))
        return out

    def model_json(self, blobs):
        siblings = []
        for path in sorted(self.files):
            f = self.files[path]
            s = {"rfilename": path}
            if blobs:
                s["size"] = f.size
                s["blobId"] = f.oid
                if f.lfs:
                    s["lfs"] = {"sha256": f.sha256, "size": f.size, "pointerSize": f.pointer_size}
            siblings.append(s)
        return {
            "_id": hashlib.md5(self.id.encode()).hexdigest()[:24],
            "id": self.id,
            "modelId": self.id,
            "author": self.id.split("/")[0] if "/" in self.id else "",
            "sha": self.commit,
            "createdAt": "2024-01-02T03:04:05.000Z",
            "lastModified": "2024-05-06T07:08:09.000Z",
            "private": self.private,
            "gated": False,
            "disabled": False,
            "downloads": 5000,
            "likes": 42,
            "library_name": "transformers",
            "pipeline_tag": "text-generation",
            "tags": ["transformers", "safetensors", "llama", "text-generation"],
            "usedStorage": sum(f.size for f in self.files.values()),
            "siblings": siblings,
        }


class State:
    def __init__(self, repos, tokens, synthetic, tree_page_size):
        self.repos = repos
        self.tokens = set(tokens)
        self.tree_page_size = tree_page_size
        self.lock = threading.Lock()
        self.faults = []
        self.log = []
        self.catalogue = []
        for r in repos.values():
            if not r.private:
                m = r.model_json(False)
                del m["siblings"]
                self.catalogue.append(m)
        for i in range(synthetic):
            self.catalogue.append({
                "id": f"fake-org/tiny-llama-{i:02d}",
                "author": "fake-org",
                "downloads": 1000 - 10 * i,
                "likes": i,
                "createdAt": "2024-01-01T00:00:00.000Z",
                "lastModified": f"2024-02-{1 + i % 28:02d}T00:00:00.000Z",
                "private": False,
                "gated": "manual" if i % 5 == 0 else False,
                "pipeline_tag": "text-generation",
                "library_name": "transformers",
                "tags": ["transformers", "llama"] + (["gguf"] if i % 2 else []),
                "safetensors": {"parameters": {"BF16": 1000000 * (i + 1)}, "total": 1000000 * (i + 1)},
            })
        self.by_sha = {}
        for r in repos.values():
            for f in r.files.values():
                if f.lfs:
                    self.by_sha[f.sha256] = (r, f)

    def take_fault(self, method, file_path=None, api_path=None, kinds=None):
        with self.lock:
            for fault in self.faults:
                if fault.get("times", 1) == 0 or fault.get("method", "GET") != method:
                    continue
                if kinds is not None and fault.get("kind") not in kinds:
                    continue
                if fault.get("api"):
                    if api_path is None or not api_path.startswith(fault.get("path", "")):
                        continue
                elif file_path is None or fault.get("path", "*") not in ("*", file_path):
                    continue
                if fault.get("times", 1) > 0:
                    fault["times"] = fault.get("times", 1) - 1
                return dict(fault)
        return None


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fakehub/1"
    state = None  # set in main
    verbose = False
    cdn_host = None

    def log_message(self, fmt, *args):
        if self.verbose:
            sys.stderr.write("fakehub: " + (fmt % args) + "\n")

    # ---- plumbing -------------------------------------------------------------------------
    def begin(self):
        """Logs the request as it arrives, so the log is in arrival order (a redirect's target
        can finish before the redirect's own handler does); record() fills in the outcome."""
        self.entry = None
        if self.path.startswith("/_fake/"):
            return  # the test's own control requests stay out of the log it reads
        self.entry = {
            "method": self.command,
            "path": self.path,
            "file": None,
            "range": self.headers.get("Range"),
            "auth": self.headers.get("Authorization") is not None,
            "status": None,
            "sent": 0,
        }
        with self.state.lock:
            self.state.log.append(self.entry)

    def record(self, status, file_path=None, sent=0, note=None):
        if getattr(self, "entry", None) is None:
            return
        with self.state.lock:
            self.entry.update({"file": file_path, "status": status, "sent": sent})
            if note:
                self.entry["note"] = note

    def base_url(self):
        return "http://" + (self.headers.get("Host") or "127.0.0.1:%d" % self.server.server_address[1])

    def send_json(self, status, obj, headers=None, file_path=None):
        body = json.dumps(obj).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)
        self.record(status, file_path)

    def hub_error(self, status, code, message, file_path=None):
        headers = {"X-Error-Message": message}
        if code:
            headers["X-Error-Code"] = code
        self.send_json(status, {"error": message}, headers, file_path)

    def token(self):
        auth = self.headers.get("Authorization") or ""
        return auth[7:].strip() if auth.lower().startswith("bearer ") else None

    def authorized(self):
        return self.token() in self.state.tokens

    def apply_status_fault(self, fault, file_path=None):
        headers = {}
        if fault.get("retry_after") is not None:
            headers["Retry-After"] = str(fault["retry_after"])
        status = int(fault.get("status", 500))
        self.send_json(status, {"error": f"injected {status}"}, headers, file_path)

    # ---- dispatch -------------------------------------------------------------------------
    def do_HEAD(self):
        self.dispatch()

    def do_GET(self):
        self.dispatch()

    def do_POST(self):
        self.begin()
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        path = urllib.parse.urlsplit(self.path).path
        if path == "/_fake/faults":
            items = json.loads(body or b"[]")
            with self.state.lock:
                self.state.faults.extend(items if isinstance(items, list) else [items])
            self.send_json(200, {"ok": True})
        elif path == "/_fake/reset":
            with self.state.lock:
                self.state.faults.clear()
                self.state.log.clear()
            self.send_json(200, {"ok": True})
        else:
            self.hub_error(404, None, "no such endpoint")

    def dispatch(self):
        try:
            self.begin()
            url = urllib.parse.urlsplit(self.path)
            raw = url.path
            query = urllib.parse.parse_qs(url.query)
            if raw == "/_fake/log":
                with self.state.lock:
                    body = json.dumps(self.state.log).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            if raw.startswith("/api/"):
                fault = self.state.take_fault(self.command, api_path=raw)
                if fault and fault["kind"] == "status":
                    self.apply_status_fault(fault)
                    return
            if raw == "/api/whoami-v2":
                self.whoami()
            elif raw == "/api/models":
                self.search(query)
            elif raw.startswith("/api/models/"):
                self.model_api(raw[len("/api/models/"):], query)
            elif raw.startswith("/_cdn/"):
                self.cdn(raw[len("/_cdn/"):])
            elif "/resolve/" in raw:
                self.resolve(raw)
            else:
                self.hub_error(404, None, "no such endpoint: " + raw)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    # ---- API ------------------------------------------------------------------------------
    def whoami(self):
        token = self.token()
        if token is None:
            self.hub_error(401, None, "Invalid username or password.")
        elif token not in self.state.tokens:
            self.hub_error(401, None, "Invalid credentials in Authorization header")
        else:
            self.send_json(200, {
                "type": "user",
                "name": "tester",
                "fullname": "Test User",
                "orgs": [{"name": "fake-org"}, {"name": "tiny"}],
                "auth": {"type": "access_token", "accessToken": {"displayName": "ci-token", "role": "read"}},
            })

    def page_link(self, offset):
        url = urllib.parse.urlsplit(self.path)
        pairs = [(k, v) for k, v in urllib.parse.parse_qsl(url.query, keep_blank_values=True) if k != "cursor"]
        pairs.append(("cursor", str(offset)))
        return {"Link": f'<{self.base_url()}{url.path}?{urllib.parse.urlencode(pairs)}>; rel="next"'}

    def search(self, query):
        terms = [t.lower() for t in query.get("search", [])]
        author = query.get("author", [None])[0]
        filters = query.get("filter", [])
        models = [m for m in self.state.catalogue
                  if all(t in m["id"].lower() for t in terms)
                  and (author is None or m["author"] == author)
                  and all(f in m.get("tags", []) for f in filters)]
        sort = query.get("sort", [None])[0]
        if sort in ("downloads", "likes"):
            models.sort(key=lambda m: (-m.get(sort, 0), m["id"]))
        try:
            limit = max(1, min(int(query.get("limit", ["1000"])[0]), 1000))
            offset = max(0, int(query.get("cursor", ["0"])[0]))
        except ValueError:
            self.hub_error(400, None, "limit and cursor must be integers")
            return
        page = models[offset:offset + limit]
        headers = self.page_link(offset + limit) if offset + limit < len(models) else {}
        self.send_json(200, page, headers)

    def find_repo(self, rest):
        """(repo, remainder) for "org/name[/...]", the longest served id that prefixes rest."""
        rest = urllib.parse.unquote(rest)
        for repo_id in sorted(self.state.repos, key=len, reverse=True):
            if rest == repo_id or rest.startswith(repo_id + "/"):
                return self.state.repos[repo_id], rest[len(repo_id) + 1:]
        return None, None

    def repo_or_error(self, repo):
        if repo is None or (repo.private and not self.authorized()):
            # Like the real Hub: a private repo without a valid token looks absent.
            self.hub_error(401 if self.token() is None else 404, "RepoNotFound",
                           "Repository Not Found for url: " + self.path)
            return False
        return True

    def model_api(self, rest, query):
        repo, remainder = self.find_repo(rest)
        if not self.repo_or_error(repo):
            return
        blobs = query.get("blobs", ["false"])[0].lower() in ("1", "true")
        if remainder == "":
            self.send_json(200, repo.model_json(blobs))
        elif remainder.startswith("revision/"):
            rev = remainder[len("revision/"):]
            if repo.resolve(rev) is None:
                self.hub_error(404, "RevisionNotFound", f"Invalid rev id: {rev}")
                return
            self.send_json(200, repo.model_json(blobs))
        elif remainder.startswith("tree/"):
            rev, _, sub = remainder[len("tree/"):].partition("/")
            if repo.resolve(rev) is None:
                self.hub_error(404, "RevisionNotFound", f"Invalid rev id: {rev}")
                return
            self.tree(repo, sub.strip("/"), query)
        else:
            self.hub_error(404, None, "no such endpoint")

    def tree(self, repo, sub, query):
        recursive = query.get("recursive", ["false"])[0].lower() in ("1", "true")
        prefix = sub + "/" if sub else ""
        entries = []
        for d in sorted(repo.dirs()):
            if d.startswith(prefix) and (recursive or "/" not in d[len(prefix):]):
                entries.append({"type": "directory", "oid": hashlib.sha1(d.encode()).hexdigest(), "size": 0, "path": d})
        for path in sorted(repo.files):
            if not path.startswith(prefix) or (not recursive and "/" in path[len(prefix):]):
                continue
            f = repo.files[path]
            e = {"type": "file", "oid": f.oid, "size": f.size, "path": path}
            if f.lfs:
                e["lfs"] = {"oid": f.sha256, "size": f.size, "pointerSize": f.pointer_size}
            entries.append(e)
        if sub and not entries:
            self.hub_error(404, "EntryNotFound", f"{sub} does not exist")
            return
        offset = int(query.get("cursor", ["0"])[0])
        n = self.state.tree_page_size
        headers = self.page_link(offset + n) if offset + n < len(entries) else {}
        self.send_json(200, entries[offset:offset + n], headers)

    # ---- files ----------------------------------------------------------------------------
    def resolve(self, raw):
        idx = raw.index("/resolve/")
        repo, _ = self.find_repo(raw[1:idx])
        if repo is not None and urllib.parse.unquote(raw[1:idx]) != repo.id:
            repo = None
        rev_raw, _, path_raw = raw[idx + len("/resolve/"):].partition("/")
        path = urllib.parse.unquote(path_raw)
        if not self.repo_or_error(repo):
            return
        commit = repo.resolve(urllib.parse.unquote(rev_raw))
        if commit is None:
            self.hub_error(404, "RevisionNotFound", f"Invalid rev id: {urllib.parse.unquote(rev_raw)}", path)
            return
        f = repo.files.get(path)
        if f is None:
            self.hub_error(404, "EntryNotFound", f"{path} does not exist on \"{rev_raw}\"", path)
            return
        # Body faults of an LFS file belong to the CDN request that follows the redirect.
        fault = self.state.take_fault(self.command, file_path=path, kinds=("status",) if f.lfs else None)
        if fault and fault["kind"] == "status":
            self.apply_status_fault(fault, path)
            return
        if f.lfs:
            self.send_response(302)
            cdn = self.base_url()
            if self.cdn_host:  # another host name, as the real CDN is: credentials must not follow
                cdn = f"http://{self.cdn_host}:{self.server.server_address[1]}"
            self.send_header("Location", f"{cdn}/_cdn/{f.sha256}?file={urllib.parse.quote(path)}")
            self.send_header("X-Repo-Commit", commit)
            self.send_header("ETag", f'"{f.oid}"')
            self.send_header("X-Linked-Etag", f'"{f.sha256}"')
            self.send_header("X-Linked-Size", str(f.size))
            self.send_header("Content-Length", "0")
            self.end_headers()
            self.record(302, path)
            return
        self.send_body(f, {"X-Repo-Commit": commit, "ETag": f'"{f.oid}"'}, fault)

    def cdn(self, rest):
        sha = rest.split("/")[0]
        hit = self.state.by_sha.get(sha)
        if hit is None:
            self.hub_error(404, None, "no such object")
            return
        repo, f = hit
        fault = self.state.take_fault(self.command, file_path=f.path, kinds=("drop", "corrupt", "slow", "ignore_range"))
        self.send_body(f, {"ETag": f'"{f.sha256}"'}, fault)

    def send_body(self, f, headers, fault):
        kind = fault["kind"] if fault else None
        data = f.data
        if kind == "corrupt" and len(data):
            mid = len(data) // 2
            data = data[:mid] + bytes([data[mid] ^ 0xFF]) + data[mid + 1:]
        start, end = 0, len(data)
        status = 200
        rng = self.headers.get("Range")
        if rng and kind != "ignore_range" and self.command == "GET":
            spec = rng.strip()
            ok = spec.startswith("bytes=") and "," not in spec
            if ok:
                a, _, b = spec[6:].partition("-")
                try:
                    start = int(a)
                    end = int(b) + 1 if b else len(data)
                except ValueError:
                    ok = False
            if not ok or start >= len(data) or start >= end:
                self.send_response(416)
                self.send_header("Content-Range", f"bytes */{len(data)}")
                self.send_header("Content-Length", "0")
                self.end_headers()
                self.record(416, f.path)
                return
            end = min(end, len(data))
            status = 206
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(end - start))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end - 1}/{len(data)}")
        self.end_headers()
        if self.command == "HEAD":
            self.record(status, f.path)
            return
        body = memoryview(data)[start:end]
        sent = 0
        try:
            if kind == "drop":
                n = min(int(fault.get("after", 0)), len(body))
                self.wfile.write(body[:n])
                self.wfile.flush()
                sent = n
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                self.record(status, f.path, sent, "dropped")
                return
            if kind == "slow":
                rate = max(1, int(fault.get("bytes_per_s", 65536)))
                chunk = max(1, min(8192, rate // 20))
                while sent < len(body):
                    piece = body[sent:sent + chunk]
                    self.wfile.write(piece)
                    self.wfile.flush()
                    sent += len(piece)
                    time.sleep(len(piece) / rate)
            else:
                self.wfile.write(body)
                sent = len(body)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            self.record(status, f.path, sent, "client went away")
            return
        self.record(status, f.path, sent, kind)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--repo", action="append", default=[], help="ID=FOLDER, served publicly")
    ap.add_argument("--private-repo", action="append", default=[], help="ID=FOLDER, needs a valid token")
    ap.add_argument("--token", action="append", default=[], help="a token whoami accepts")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--synthetic", type=int, default=23, help="extra search-only models fake-org/tiny-llama-NN")
    ap.add_argument("--tree-page-size", type=int, default=1000)
    ap.add_argument("--cdn-host", help="host name in LFS redirects (e.g. localhost), to check the token stays behind")
    ap.add_argument("--watch-stdin", action="store_true", help="exit when stdin closes")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args()

    repos = {}
    for spec, private in [(s, False) for s in args.repo] + [(s, True) for s in args.private_repo]:
        repo_id, sep, folder = spec.partition("=")
        if not sep or not os.path.isdir(folder):
            ap.error(f"--repo needs ID=FOLDER with an existing folder, got {spec!r}")
        repos[repo_id] = Repo(repo_id, folder, private)
    Handler.state = State(repos, args.token or ["hf_fake_good_token_0123456789"], args.synthetic, args.tree_page_size)
    Handler.verbose = args.verbose
    Handler.cdn_host = args.cdn_host

    server = http.server.ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.daemon_threads = True
    print(server.server_address[1], flush=True)
    if args.watch_stdin:
        def watch():
            while sys.stdin.buffer.read(4096):
                pass
            os._exit(0)
        threading.Thread(target=watch, daemon=True).start()
    try:
        server.serve_forever(poll_interval=0.1)
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
