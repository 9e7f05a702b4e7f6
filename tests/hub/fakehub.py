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
Upload (HUB.md §3.3 d; needs a valid token):
  POST /api/repos/create                     {"name","organization","type","private"|"visibility"}; 409 if it exists
  POST /api/models/{repo}/preupload/{rev}    {"files":[{path,sample,size}]} -> uploadMode lfs|regular
  POST /{repo}.git/info/lfs/objects/batch    upload actions per object, none for blobs the repo already has;
                                             multipart (chunk_size + numbered part URLs) for objects larger
                                             than the multipart chunk set with /_fake/config
  PUT  /_lfs/basic/{repo}/{oid}              the whole blob (checked against oid and size)
  PUT  /_lfs/part/{repo}/{oid}/{n}           one part; answers an ETag
  POST /_lfs/complete/{repo}/{oid}           {"oid","parts":[{partNumber,etag}]}
  POST /_lfs/verify/{repo}/{oid}             {"oid","size"}; 404 unless stored
  POST /api/models/{repo}/commit/{rev}       NDJSON: header, file (base64), lfsFile, deletedFile; the
                                             repository then serves the new files like the others
ModelScope (HUB.md 3.4; the same repositories, default branch "master"):
  GET  /api/v1/models/{repo}/repo/files?Revision=&Recursive=   {"Code":200,"Success":true,"Data":{"Files":[
                                             {Name,Path,Type:blob|tree,Size,Sha256,IsLFS,Revision}]}}; 404 envelope
  GET  /api/v1/models/{repo}/repo?Revision=&FilePath=          the file's bytes, with Range support and faults
Dataset viewer (datasets-server):
  GET  /splits?dataset=ID                    {"splits":[{dataset,config,split}]}
  GET  /rows?dataset&config&split&offset&length   pages of rows (length <= 100); 404 unknown dataset,
                                             401 for a gated one without a valid token
Test control (JSON):
  POST /_fake/faults   {"path": "model.safetensors", "kind": "drop", "after": 300000, "times": 1}
                       kind: drop (close after `after` body bytes), status (answer `status`, with
                       `retry_after` seconds), corrupt (same length, wrong bytes), slow
                       (`bytes_per_s`), ignore_range (200 with the whole body to a Range request),
                       oversize (the body goes on for `extra` bytes, 5 MiB by default, past the file
                       its metadata describes; `length`: "full" = a Content-Length counting them,
                       "none" = no Content-Length, the body ends when the connection closes).
                       `path` is a repo file path ("*" = any file) or, with "api": true, a
                       request path prefix such as /api/models. `method` defaults to GET;
                       `times` defaults to 1, -1 = forever.
                       Faults also apply to POST/PUT: "status" on an API or /_lfs/ path prefix,
                       "drop" (close after `after` request body bytes) on a /_lfs/ path prefix.
  POST /_fake/reset    clears faults, the request log, upload records and repositories made by uploads
  POST /_fake/clear_faults   clears faults only (an interrupted upload's blobs stay)
  POST /_fake/config   {"multipart_chunk": N}: LFS objects over N bytes go multipart (0 = never);
                       {"hide_sizes": [paths]}: those files' sizes are left out of listings and of
                       HEAD answers (no Content-Length / X-Linked-Size); reset clears both
  GET  /_fake/log      every request so far: method, path, file, range, auth, status, sent
  GET  /_fake/uploads  what uploads sent: creates, preuploads, batches, commits (files with their
                       base64 content, lfsFiles), and the LFS objects stored per repository

LFS files are those with the extensions in LFS_EXTENSIONS, as a typical .gitattributes marks
them; a virtual .gitattributes file says so, like on the real Hub.
"""
import argparse
import base64
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
    def __init__(self, path, data, lfs=None):
        self.path = path
        self.data = data
        self.size = len(data)
        self.lfs = path.endswith(LFS_EXTENSIONS) if lfs is None else lfs
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
        self.uploaded = folder is None  # made by /api/repos/create
        self.files = {".gitattributes": RepoFile(".gitattributes", GITATTRIBUTES)}
        for root, dirs, names in (os.walk(folder) if folder else []):
            dirs.sort()
            for name in sorted(names):
                full = os.path.join(root, name)
                rel = os.path.relpath(full, folder).replace(os.sep, "/")
                with open(full, "rb") as f:
                    self.files[rel] = RepoFile(rel, f.read())
        self.commit = self.hash_commit("")
        self.revisions = {"main": self.commit}

    def hash_commit(self, parent):
        h = hashlib.sha1(self.id.encode() + parent.encode())
        for path in sorted(self.files):
            h.update(f"{path}\0{self.files[path].oid}\n".encode())
        return h.hexdigest()

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
    def __init__(self, repos, tokens, synthetic, tree_page_size, datasets=None):
        self.repos = repos
        self.datasets = datasets or {}
        self.multipart_chunk = 0
        self.hide_sizes = set()
        self.lfs_store = {}   # (repo id, oid) -> bytes
        self.parts = {}       # (repo id, oid) -> {part number: bytes}
        self.uploads = {"creates": [], "preuploads": [], "batches": [], "commits": []}
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

    def do_PUT(self):
        self.do_POST()

    def do_POST(self):
        self.begin()
        path = urllib.parse.urlsplit(self.path).path
        length = int(self.headers.get("Content-Length") or 0)
        try:
            if not path.startswith("/_fake/"):
                fault = self.state.take_fault(self.command, api_path=path)
                if fault and fault["kind"] == "drop":
                    # A connection cut while the client is still sending the body.
                    self.rfile.read(min(int(fault.get("after", 0)), length))
                    self.record(None, None, 0, "dropped")
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                body = self.rfile.read(length) if length else b""
                if fault and fault["kind"] == "status":
                    self.apply_status_fault(fault)
                    return
            else:
                body = self.rfile.read(length) if length else b""
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True
            return
        if self.entry is not None:
            self.entry["content_type"] = self.headers.get("Content-Type")
            self.entry["length"] = len(body)
        if path == "/_fake/faults":
            items = json.loads(body or b"[]")
            with self.state.lock:
                self.state.faults.extend(items if isinstance(items, list) else [items])
            self.send_json(200, {"ok": True})
        elif path == "/_fake/reset":
            with self.state.lock:
                self.state.faults.clear()
                self.state.log.clear()
                for key in self.state.uploads:
                    self.state.uploads[key].clear()
                self.state.lfs_store.clear()
                self.state.parts.clear()
                self.state.multipart_chunk = 0
                self.state.hide_sizes = set()
                for repo_id in [r for r, repo in self.state.repos.items() if repo.uploaded]:
                    del self.state.repos[repo_id]
                self.state.by_sha = {k: v for k, v in self.state.by_sha.items() if not v[0].uploaded}
            self.send_json(200, {"ok": True})
        elif path == "/_fake/clear_faults":
            with self.state.lock:
                self.state.faults.clear()
            self.send_json(200, {"ok": True})
        elif path == "/_fake/config":
            cfg = json.loads(body or b"{}")
            with self.state.lock:
                self.state.multipart_chunk = int(cfg.get("multipart_chunk", self.state.multipart_chunk))
                if "hide_sizes" in cfg:
                    self.state.hide_sizes = set(cfg["hide_sizes"])
            self.send_json(200, {"ok": True})
        elif self.command == "POST" and path == "/api/repos/create":
            self.create_repo(body)
        elif self.command == "POST" and path.startswith("/api/models/") and "/preupload/" in path:
            self.preupload(path[len("/api/models/"):], body)
        elif self.command == "POST" and path.startswith("/api/models/") and "/commit/" in path:
            self.commit(path[len("/api/models/"):], body)
        elif self.command == "POST" and path.endswith(".git/info/lfs/objects/batch"):
            self.lfs_batch(urllib.parse.unquote(path[1:-len(".git/info/lfs/objects/batch")]), body)
        elif path.startswith("/_lfs/"):
            self.lfs_transfer(path[len("/_lfs/"):], body)
        else:
            self.hub_error(404, None, "no such endpoint")

    # ---- upload ---------------------------------------------------------------------------
    def need_token(self):
        if self.authorized():
            return True
        self.hub_error(401, None, "Invalid credentials in Authorization header" if self.token() else "You must be authenticated to do this")
        return False

    def upload_repo(self, rest, marker):
        """The repository and revision of /api/models/{repo}/{marker}/{rev}, or None after an error."""
        repo_part, _, rev = rest.partition("/" + marker + "/")
        repo = self.state.repos.get(urllib.parse.unquote(repo_part))
        if repo is None:
            self.hub_error(404, "RepoNotFound", "Repository Not Found for url: " + self.path)
            return None, None
        rev = urllib.parse.unquote(rev)
        if rev not in repo.revisions:
            self.hub_error(404, "RevisionNotFound", f"Invalid rev id: {rev}")
            return None, None
        return repo, rev

    def create_repo(self, body):
        if not self.need_token():
            return
        req = json.loads(body or b"{}")
        name = req.get("name") or ""
        repo_id = f"{req['organization']}/{name}" if req.get("organization") else name
        private = bool(req.get("private")) or req.get("visibility") == "private"
        with self.state.lock:
            self.state.uploads["creates"].append({"request": req, "auth": True})
            exists = repo_id in self.state.repos
            if not exists:
                self.state.repos[repo_id] = Repo(repo_id, None, private)
        if exists:
            self.send_json(409, {"error": "You already created this model repo", "url": f"{self.base_url()}/{repo_id}"})
        else:
            self.send_json(200, {"url": f"{self.base_url()}/{repo_id}", "name": repo_id})

    def preupload(self, rest, body):
        if not self.need_token():
            return
        repo, rev = self.upload_repo(rest, "preupload")
        if repo is None:
            return
        req = json.loads(body or b"{}")
        with self.state.lock:
            self.state.uploads["preuploads"].append({"repo": repo.id, "revision": rev, "request": req})
        out = []
        for f in req.get("files", []):
            lfs = f.get("size", 0) > 0 and (f["path"].endswith(LFS_EXTENSIONS) or f.get("size", 0) >= 10 * 1024 * 1024)
            out.append({"path": f["path"], "uploadMode": "lfs" if lfs else "regular", "shouldIgnore": False})
        self.send_json(200, {"files": out, "commitOid": repo.revisions[rev]})

    def lfs_batch(self, repo_id, body):
        if not self.need_token():
            return
        repo = self.state.repos.get(repo_id)
        if repo is None:
            self.hub_error(404, "RepoNotFound", "Repository not found")
            return
        req = json.loads(body or b"{}")
        base = self.base_url()
        objects = []
        with self.state.lock:
            self.state.uploads["batches"].append({"repo": repo_id, "request": req,
                                                  "accept": self.headers.get("Accept"),
                                                  "content_type": self.headers.get("Content-Type")})
            chunk = self.state.multipart_chunk
            for o in req.get("objects", []):
                oid, size = o["oid"], int(o["size"])
                have = self.state.lfs_store.get((repo_id, oid))
                if have is not None and len(have) == size:
                    objects.append({"oid": oid, "size": size})
                    continue
                verify = {"href": f"{base}/_lfs/verify/{repo_id}/{oid}"}
                if chunk and size > chunk:
                    n = (size + chunk - 1) // chunk
                    header = {"chunk_size": str(chunk)}
                    for i in range(1, n + 1):
                        header[f"{i:05d}"] = f"{base}/_lfs/part/{repo_id}/{oid}/{i}?X-Amz-Signature=fake"
                    upload = {"href": f"{base}/_lfs/complete/{repo_id}/{oid}?uploadId=fake", "header": header}
                else:
                    upload = {"href": f"{base}/_lfs/basic/{repo_id}/{oid}?X-Amz-Signature=fake"}
                objects.append({"oid": oid, "size": size, "authenticated": True,
                                "actions": {"upload": upload, "verify": verify}})
        transfer = "multipart" if any("header" in o.get("actions", {}).get("upload", {}) for o in objects) else "basic"
        body = json.dumps({"transfer": transfer, "objects": objects}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.git-lfs+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.record(200)

    def lfs_transfer(self, rest, body):
        kind, _, rest = rest.partition("/")
        parts = rest.split("/")
        if kind == "part":
            repo_id, oid, number = "/".join(parts[:-2]), parts[-2], int(parts[-1])
        else:
            repo_id, oid, number = "/".join(parts[:-1]), parts[-1], None
        key = (repo_id, oid)
        if kind == "basic" and self.command == "PUT":
            if hashlib.sha256(body).hexdigest() != oid:
                self.hub_error(400, None, "the body does not match the oid")
                return
            with self.state.lock:
                self.state.lfs_store[key] = body
            self.send_json(200, {}, file_path=oid)
        elif kind == "part" and self.command == "PUT":
            with self.state.lock:
                self.state.parts.setdefault(key, {})[number] = body
            self.send_json(200, {}, {"ETag": '"%s"' % hashlib.md5(body).hexdigest()}, file_path=oid)
        elif kind == "complete" and self.command == "POST":
            req = json.loads(body or b"{}")
            with self.state.lock:
                have = self.state.parts.get(key, {})
                numbers = [p["partNumber"] for p in req.get("parts", [])]
                ok = req.get("oid") == oid and numbers == list(range(1, len(have) + 1)) and all(
                    p["etag"] == '"%s"' % hashlib.md5(have[p["partNumber"]]).hexdigest() for p in req["parts"])
                data = b"".join(have[n] for n in numbers) if ok else b""
                ok = ok and hashlib.sha256(data).hexdigest() == oid
                if ok:
                    self.state.lfs_store[key] = data
                    del self.state.parts[key]
            if ok:
                self.send_json(200, {}, file_path=oid)
            else:
                self.hub_error(400, None, "multipart completion does not match the parts or the oid")
        elif kind == "verify" and self.command == "POST":
            if not self.need_token():
                return
            req = json.loads(body or b"{}")
            data = self.state.lfs_store.get(key)
            if data is None or req.get("oid") != oid or int(req.get("size", -1)) != len(data):
                self.hub_error(404, None, "object not found or wrong size")
            else:
                self.send_json(200, {"ok": True})
        else:
            self.hub_error(405, None, "method not allowed")

    def apply_commit(self, repo, rev, header, lines, record):
        """Applies an NDJSON commit under the state lock: ((status, message), None) or (None, new oid)."""
        head = repo.revisions[rev]
        if header.get("parentCommit") and header["parentCommit"] != head:
            return (412, "A commit has happened since. Please refresh and try again."), None
        files = dict(repo.files)
        for line in lines[1:]:
            key, value = line.get("key"), line.get("value", {})
            if key == "file":
                data = base64.b64decode(value["content"]) if value.get("encoding") == "base64" else value["content"].encode()
                files[value["path"]] = RepoFile(value["path"], data, lfs=False)
                record["files"].append({"path": value["path"], "content": value["content"], "encoding": value.get("encoding")})
            elif key == "lfsFile":
                data = self.state.lfs_store.get((repo.id, value.get("oid")))
                if data is None or len(data) != value.get("size") or value.get("algo") != "sha256":
                    return (400, f"LFS object of {value.get('path')} is not uploaded or has another size"), None
                files[value["path"]] = RepoFile(value["path"], data, lfs=True)
                record["lfsFiles"].append({"path": value["path"], "oid": value["oid"], "size": value["size"], "algo": value["algo"]})
            elif key in ("deletedFile", "deletedFolder"):
                p = value.get("path", "")
                for name in [n for n in files if n == p or n.startswith(p.rstrip("/") + "/")]:
                    del files[name]
                record["deleted"].append(p)
            else:
                return (400, f"unknown key {key!r}"), None
        repo.files = files
        oid = repo.hash_commit(head)
        repo.revisions[rev] = oid
        if rev == "main":
            repo.commit = oid
        for f in files.values():
            if f.lfs:
                self.state.by_sha[f.sha256] = (repo, f)
        record["commitOid"] = oid
        self.state.uploads["commits"].append(record)
        return None, oid

    def commit(self, rest, body):
        if not self.need_token():
            return
        repo, rev = self.upload_repo(rest, "commit")
        if repo is None:
            return
        if (self.headers.get("Content-Type") or "").split(";")[0] != "application/x-ndjson":
            self.hub_error(400, None, "expected application/x-ndjson")
            return
        lines = [json.loads(line) for line in body.decode().split("\n") if line.strip()]
        if not lines or lines[0].get("key") != "header":
            self.hub_error(400, None, "the first line must be the header")
            return
        header = lines[0]["value"]
        record = {"repo": repo.id, "revision": rev, "summary": header.get("summary"),
                  "description": header.get("description"), "parentCommit": header.get("parentCommit"),
                  "files": [], "lfsFiles": [], "deleted": []}
        with self.state.lock:
            error, oid = self.apply_commit(repo, rev, header, lines, record)
        if error:
            self.hub_error(error[0], None, error[1])
            return
        self.send_json(200, {"commitUrl": f"{self.base_url()}/{repo.id}/commit/{oid}", "commitOid": oid})

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
            if raw == "/_fake/uploads":
                with self.state.lock:
                    out = json.loads(json.dumps(self.state.uploads))
                    out["lfs"] = {f"{r}@{o}": len(d) for (r, o), d in self.state.lfs_store.items()}
                self.send_json(200, out)
                return
            if raw.startswith("/api/") or raw in ("/rows", "/splits"):
                fault = self.state.take_fault(self.command, api_path=raw)
                if fault and fault["kind"] == "status":
                    self.apply_status_fault(fault)
                    return
            if raw == "/api/whoami-v2":
                self.whoami()
            elif raw == "/api/models":
                self.search(query)
            elif raw.startswith("/api/v1/models/"):
                self.modelscope(raw[len("/api/v1/models/"):], query)
            elif raw.startswith("/api/models/"):
                self.model_api(raw[len("/api/models/"):], query)
            elif raw in ("/rows", "/splits"):
                self.dataset_viewer(raw, query)
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
            if path in self.state.hide_sizes:
                e.pop("size")
                e.get("lfs", {}).pop("size", None)
            entries.append(e)
        if sub and not entries:
            self.hub_error(404, "EntryNotFound", f"{sub} does not exist")
            return
        offset = int(query.get("cursor", ["0"])[0])
        n = self.state.tree_page_size
        headers = self.page_link(offset + n) if offset + n < len(entries) else {}
        self.send_json(200, entries[offset:offset + n], headers)

    # ---- ModelScope (HUB.md 3.4) ------------------------------------------------------------
    def ms_error(self, status, message):
        self.send_json(status, {"Code": 10010205001, "Message": message, "RequestId": "fakehub", "Success": False})

    def modelscope(self, rest, query):
        """The same repositories as ModelScope serves them: the default branch is master."""
        rest = urllib.parse.unquote(rest)
        if rest.endswith("/repo/files"):
            repo_id, kind = rest[:-len("/repo/files")], "files"
        elif rest.endswith("/repo"):
            repo_id, kind = rest[:-len("/repo")], "file"
        else:
            self.ms_error(404, "no such endpoint")
            return
        repo = self.state.repos.get(repo_id)
        if repo is None or (repo.private and not self.authorized()):
            self.ms_error(404, f"model {repo_id} not found")
            return
        rev = query.get("Revision", ["master"])[0]
        commit = repo.resolve("main" if rev == "master" else rev)
        if commit is None:
            self.ms_error(404, f"revision {rev} not found")
            return
        if kind == "files":
            recursive = query.get("Recursive", ["false"])[0].lower() in ("1", "true")
            files = []
            for d in sorted(repo.dirs()):
                if recursive or "/" not in d:
                    files.append({"Name": d.rsplit("/", 1)[-1], "Path": d, "Type": "tree", "Size": 0, "Sha256": "",
                                  "IsLFS": False, "Revision": commit, "CommittedDate": 1704067200})
            for path in sorted(repo.files):
                if not recursive and "/" in path:
                    continue
                f = repo.files[path]
                files.append({"Name": path.rsplit("/", 1)[-1], "Path": path, "Type": "blob", "Size": f.size,
                              "Sha256": f.sha256, "IsLFS": f.lfs, "Revision": commit, "CommittedDate": 1704067200})
            self.send_json(200, {"Code": 200, "Data": {"Files": files, "LatestCommitter": {}}, "Message": "success",
                                 "RequestId": "fakehub", "Success": True})
            return
        path = query.get("FilePath", [""])[0]
        f = repo.files.get(path)
        if f is None:
            self.ms_error(404, f"file {path} not found")
            return
        fault = self.state.take_fault(self.command, file_path=path)
        if fault and fault["kind"] == "status":
            self.apply_status_fault(fault, path)
            return
        self.send_body(f, {"ETag": f'"{f.sha256}"'}, fault)

    # ---- dataset viewer -------------------------------------------------------------------
    def dataset_viewer(self, raw, query):
        name = query.get("dataset", [""])[0]
        ds = self.state.datasets.get(name)
        if ds is None:
            self.send_json(404, {"error": "The dataset does not exist on the Hub."}, {"X-Error-Code": "DatasetNotFoundError"})
            return
        if ds["gated"] and not self.authorized():
            self.send_json(401, {"error": "The dataset does not exist, or is not accessible without authentication "
                                          "(private or gated). Please check the spelling of the dataset name or retry "
                                          "with authentication."}, {"X-Error-Code": "ExternalUnauthenticatedError"})
            return
        if raw == "/splits":
            self.send_json(200, {"splits": [{"dataset": name, "config": "default", "split": sp} for sp in ds["splits"]],
                                 "pending": [], "failed": []})
            return
        config = query.get("config", [""])[0]
        split = query.get("split", [""])[0]
        if config != "default" or split not in ds["splits"]:
            self.send_json(404, {"error": "Not found."}, {"X-Error-Code": "ResponseNotFound"})
            return
        try:
            offset = int(query.get("offset", ["0"])[0])
            length = int(query.get("length", ["100"])[0])
        except ValueError:
            self.send_json(422, {"error": "Parameters 'offset' and 'length' must be integers"})
            return
        if length > 100 or length < 0 or offset < 0:
            self.send_json(422, {"error": "Parameter 'length' must not be greater than 100"}, {"X-Error-Code": "InvalidParameter"})
            return
        rows = ds["splits"][split]
        names = list(rows[0].keys()) if rows else []
        page = [{"row_idx": offset + i, "row": r, "truncated_cells": []} for i, r in enumerate(rows[offset:offset + length])]
        self.send_json(200, {
            "features": [{"feature_idx": i, "name": n, "type": {"dtype": "string", "_type": "Value"}} for i, n in enumerate(names)],
            "rows": page, "num_rows_total": len(rows), "num_rows_per_page": 100, "partial": False})

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
            hidden = path in self.state.hide_sizes and self.command == "HEAD"
            if not hidden:
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
        fault = self.state.take_fault(self.command, file_path=f.path, kinds=("drop", "corrupt", "slow", "ignore_range", "oversize"))
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
        body = memoryview(data)[start:end]
        if kind == "oversize":  # the file, then bytes its metadata never announced
            extra = int(fault.get("extra", 5 << 20))
            body = memoryview(bytes(body) + bytes((i * 7 + 1) & 0xFF for i in range(256)) * (extra // 256) + b"x" * (extra % 256))
        self.send_response(status)
        for k, v in headers.items():
            self.send_header(k, v)
        self.send_header("Accept-Ranges", "bytes")
        self.send_header("Content-Type", "application/octet-stream")
        if kind == "oversize" and fault.get("length", "full") == "none":
            self.send_header("Connection", "close")
            self.close_connection = True
        elif not (self.command == "HEAD" and f.path in self.state.hide_sizes):
            self.send_header("Content-Length", str(len(body)))
        if status == 206:
            self.send_header("Content-Range", f"bytes {start}-{end - 1}/{len(data)}")
        self.end_headers()
        if self.command == "HEAD":
            self.record(status, f.path)
            return
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
                while sent < len(body):  # in pieces, so `sent` tells how far a client that hung up let it get
                    piece = body[sent:sent + 65536]
                    self.wfile.write(piece)
                    sent += len(piece)
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
    ap.add_argument("--dataset", action="append", default=[], help="ID[:SPLIT]=FILE.jsonl for the dataset viewer (split train by default)")
    ap.add_argument("--gated-dataset", action="append", default=[], help="like --dataset, but needs a valid token")
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
    datasets = {}
    for spec, gated in [(s, False) for s in args.dataset] + [(s, True) for s in args.gated_dataset]:
        ident, sep, path = spec.partition("=")
        if not sep or not os.path.isfile(path):
            ap.error(f"--dataset needs ID[:SPLIT]=FILE with an existing file, got {spec!r}")
        name, _, split = ident.partition(":")
        with open(path, encoding="utf-8") as f:
            rows = [json.loads(line) for line in f if line.strip()]
        datasets.setdefault(name, {"gated": gated, "splits": {}})["splits"][split or "train"] = rows
    Handler.state = State(repos, args.token or ["hf_fake_good_token_0123456789"], args.synthetic, args.tree_page_size, datasets)
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
