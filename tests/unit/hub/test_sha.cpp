// core/hub/sha (OpenSSL EVP): the NIST known-answer vectors for SHA-256 and SHA-1 (FIPS 180-4
// examples: "abc", the empty string, the 448- and 896-bit messages, one million 'a'), fed whole
// and in odd pieces; agreement with Qt's independent implementation at every length around the
// block boundaries; git blob ids; the incremental contract (digest twice, update after digest,
// reset, copies, moves); hashFile over a file spanning several read pieces; and allocation
// failures inside libcrypto, injected with CRYPTO_set_mem_functions, reported rather than crashing.
#include <QCryptographicHash>
#include <QTemporaryDir>
#include <QtTest>

#include <openssl/crypto.h>

#include <atomic>
#include <cstdlib>
#include <random>

#include <sys/stat.h>

#include "core/hub/sha.h"
#include "core/io/atomic_file.h"

using namespace srs;
using namespace srs::hub;

namespace {

// libcrypto's allocator for this process: malloc, or nothing while g_fail_alloc is set.
std::atomic<bool> g_fail_alloc{false};
bool g_mem_hooked = false;
void* testMalloc(std::size_t n, const char*, int) { return g_fail_alloc ? nullptr : std::malloc(n); }
void* testRealloc(void* p, std::size_t n, const char*, int) { return g_fail_alloc ? nullptr : std::realloc(p, n); }
void testFree(void* p, const char*, int) { std::free(p); }

struct Vector {
    std::string message, sha256, sha1;
};
std::vector<Vector> nistVectors() {
    return {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", "da39a3ee5e6b4b0d3255bfef95601890afd80709"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", "a9993e364706816aba3e25717850c26c9cd0d89d"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",  // 448 bits
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1", "84983e441c3bd26ebaae4aa1f95129e5e54670f1"},
        {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",  // 896 bits
         "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1", "a49b2446a02c645bf419f995b67091253a04a259"},
        {std::string(1000000, 'a'), "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0",
         "34aa973cd4c4daa4f61eeb2bdbad27316534016f"},
    };
}

template <typename H>
std::string inPieces(const std::string& s, std::size_t piece) {
    H h;
    for (std::size_t i = 0; i < s.size(); i += piece) h.update(s.data() + i, std::min(piece, s.size() - i));
    return h.hexDigest();
}

template <typename H>
std::string whole(const std::string& s) {
    H h;
    h.update(s.data(), s.size());
    return h.hexDigest();
}

std::string qtHex(const std::string& s, QCryptographicHash::Algorithm a) {
    return QCryptographicHash::hash(QByteArray::fromRawData(s.data(), static_cast<qsizetype>(s.size())), a).toHex().toStdString();
}

}  // namespace

class TestSha : public QObject {
    Q_OBJECT
private slots:
    void initTestCase() {
        // Before anything in this process asks libcrypto for memory, or it refuses the hook.
        g_mem_hooked = CRYPTO_set_mem_functions(testMalloc, testRealloc, testFree) == 1;
    }

    void nistSha256() {
        for (const auto& v : nistVectors()) {
            QCOMPARE(sha256Hex(v.message), v.sha256);
            QCOMPARE(whole<Sha256>(v.message), v.sha256);
            for (std::size_t piece : {1, 3, 55, 63, 64, 65, 777})
                if (v.message.size() < 200000 || piece >= 55) QCOMPARE(inPieces<Sha256>(v.message, piece), v.sha256);
        }
    }

    void nistSha1() {
        for (const auto& v : nistVectors()) {
            QCOMPARE(whole<Sha1>(v.message), v.sha1);
            for (std::size_t piece : {1, 3, 55, 63, 64, 65, 777})
                if (v.message.size() < 200000 || piece >= 55) QCOMPARE(inPieces<Sha1>(v.message, piece), v.sha1);
        }
    }

    void binaryDigestMatchesHex() {
        Sha256 a;
        a.update("abc", 3);
        auto d = a.digest();
        QCOMPARE(toHex(d.data(), d.size()), nistVectors()[1].sha256);
        Sha1 b;
        b.update("abc", 3);
        auto e = b.digest();
        QCOMPARE(toHex(e.data(), e.size()), nistVectors()[1].sha1);
    }

    // Every length through three blocks (padding spills into a second block from 56 bytes on),
    // against Qt's own SHA code.
    void agreesWithQtAtEveryLength() {
        std::mt19937 rng(22);
        std::string s;
        for (int len = 0; len <= 200; ++len) {
            QCOMPARE(whole<Sha256>(s), qtHex(s, QCryptographicHash::Sha256));
            QCOMPARE(whole<Sha1>(s), qtHex(s, QCryptographicHash::Sha1));
            QCOMPARE(inPieces<Sha256>(s, 7), qtHex(s, QCryptographicHash::Sha256));
            s.push_back(static_cast<char>(rng()));
        }
    }

    void gitBlobIds() {
        // `git hash-object` of an empty file, of "hello\n" and of 100000 zero bytes.
        QCOMPARE(gitBlobSha1Hex(""), std::string("e69de29bb2d1d6434b8b29ae775ad8c2e48c5391"));
        QCOMPARE(gitBlobSha1Hex("hello\n"), std::string("ce013625030ba8dba906f756967f9e9ca394464a"));
        const std::string zeros(100000, '\0');
        QCOMPARE(gitBlobSha1Hex(zeros), qtHex("blob 100000" + std::string(1, '\0') + zeros, QCryptographicHash::Sha1));
    }

    void incrementalContract() {
        Sha256 h;
        h.update("ab", 2);
        Sha256 copy = h;  // carries the running state
        h.update("c", 1);
        const std::string abc = nistVectors()[1].sha256;
        QCOMPARE(h.hexDigest(), abc);
        QCOMPARE(h.hexDigest(), abc);  // a second digest() returns the same value
        QVERIFY(h.status().ok());
        copy.update("c", 1);
        QCOMPARE(copy.hexDigest(), abc);

        h.update("x", 1);  // misuse: update after digest without reset
        QVERIFY(!h.status().ok());
        QCOMPARE(h.hexDigest(), std::string(kHashUnavailableSha256));
        h.reset();
        QVERIFY(h.status().ok());
        h.update("abc", 3);
        QCOMPARE(h.hexDigest(), abc);

        Sha1 s;
        s.update("ab", 2);
        Sha1 moved = std::move(s);
        moved.update("c", 1);
        QCOMPARE(moved.hexDigest(), nistVectors()[1].sha1);
        Sha1 assigned;
        assigned = moved;  // a finished hasher copies its digest
        QCOMPARE(assigned.hexDigest(), nistVectors()[1].sha1);
        s.reset();  // a moved-from hasher is usable again after reset()
        s.update("abc", 3);
        QCOMPARE(s.hexDigest(), nistVectors()[1].sha1);
    }

    void hashFileSpansReadPieces() {
        QTemporaryDir dir;
        std::string path = (dir.path() + "/f").toStdString();
        std::string contents(3 * (1 << 20) + 12345, '\0');
        std::mt19937 rng(7);
        for (auto& c : contents) c = static_cast<char>(rng());
        QVERIFY(io::writeFileAtomic(path, contents).ok());
        auto h = hashFile(path);
        QVERIFY2(h.ok(), h.ok() ? "" : h.error().message.c_str());
        QCOMPARE(h->size_bytes, std::uint64_t(contents.size()));
        QCOMPARE(h->sha256, qtHex(contents, QCryptographicHash::Sha256));
        QCOMPARE(h->git_sha1, gitBlobSha1Hex(contents));
    }

    // Only a regular file is hashed: a FIFO (a path swapped after the upload looked at it) is
    // refused at once instead of blocking, and so is a folder; a link to a file is followed.
    void hashFileRefusesWhatIsNotAFile() {
        QTemporaryDir dir;
        const std::string fifo = (dir.path() + "/fifo").toStdString();
        QCOMPARE(::mkfifo(fifo.c_str(), 0600), 0);
        auto h = hashFile(fifo);
        QVERIFY(!h.ok());
        QVERIFY2(h.error().message.find("is not a regular file") != std::string::npos, h.error().message.c_str());
        auto d = hashFile(dir.path().toStdString());
        QVERIFY(!d.ok());
        const std::string file = (dir.path() + "/abc").toStdString();
        QVERIFY(io::writeFileAtomic(file, "abc").ok());
        QVERIFY(QFile::link(QString::fromStdString(file), dir.path() + "/link"));
        auto l = hashFile((dir.path() + "/link").toStdString());
        QVERIFY2(l.ok(), l.ok() ? "" : l.error().message.c_str());
        QCOMPARE(l->sha256, std::string("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
    }

    // Allocation failures inside libcrypto become errors: no throw, no abort, never a digest that
    // could match, and the hasher works again after reset() once memory is back.
    void allocationFailuresAreReported() {
        if (!g_mem_hooked) QSKIP("libcrypto allocated before initTestCase, so its allocator cannot be replaced");
        QTemporaryDir dir;
        std::string path = (dir.path() + "/f").toStdString();
        QVERIFY(io::writeFileAtomic(path, "hello\n").ok());
        Sha256 running;
        running.update("ab", 2);

        g_fail_alloc = true;
        Sha256 fresh;  // EVP_MD_CTX_new fails
        fresh.update("abc", 3);
        const std::string fresh_hex = fresh.hexDigest();
        const Status fresh_status = fresh.status();
        Sha256 copy = running;  // the copy's EVP_MD_CTX_new fails
        copy.update("c", 1);
        const std::string copy_hex = copy.hexDigest();
        const Status copy_status = copy.status();
        Sha1 fresh1;
        const std::string fresh1_hex = fresh1.hexDigest();
        const std::string blob = gitBlobSha1Hex("hello\n");
        auto file = hashFile(path);
        g_fail_alloc = false;

        QCOMPARE(fresh_hex, std::string(kHashUnavailableSha256));
        QVERIFY(!fresh_status.ok());
        QCOMPARE(fresh_status.error().code, ErrorCode::OutOfMemory);
        QVERIFY(fresh_status.error().message.find("EVP_MD_CTX_new") != std::string::npos);
        QCOMPARE(copy_hex, std::string(kHashUnavailableSha256));
        QCOMPARE(copy_status.error().code, ErrorCode::OutOfMemory);
        QCOMPARE(fresh1_hex, std::string(kHashUnavailableSha1));
        QCOMPARE(blob, std::string(kHashUnavailableSha1));
        QVERIFY(!file.ok());
        QCOMPARE(file.error().code, ErrorCode::OutOfMemory);
        QVERIFY(file.error().message.find(path) != std::string::npos);

        // The hasher that was running before the failures is untouched.
        running.update("c", 1);
        QCOMPARE(running.hexDigest(), nistVectors()[1].sha256);
        fresh.reset();
        fresh.update("abc", 3);
        QCOMPARE(fresh.hexDigest(), nistVectors()[1].sha256);
        QVERIFY(fresh.status().ok());
        QVERIFY(hashFile(path).ok());
    }
};

QTEST_GUILESS_MAIN(TestSha)
#include "test_sha.moc"
