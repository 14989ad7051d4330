/*
 * test_tls.c - STARTTLS over a socketpair with a throw-away self-signed
 * certificate: the handshake works (TLS 1.2 or later), the client must
 * EHLO again, STARTTLS is not offered twice, and plaintext pipelined after
 * STARTTLS is discarded, never answered (CVE-2011-0411).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "smtpd_script.h"
#include "smtpd_tls.h"
#include "testkit.h"
#include "vstream.h"
#include "vstring.h"

/* make_cert - a P-256 key and a self-signed certificate as PEM files */
static int make_cert(const char *cert_path, const char *key_path)
{
    EVP_PKEY *key = EVP_EC_gen("P-256");
    X509 *x = X509_new();
    FILE *f;
    int ok = key != 0 && x != 0;

    if (ok) {
        ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
        X509_gmtime_adj(X509_getm_notBefore(x), 0);
        X509_gmtime_adj(X509_getm_notAfter(x), 3600);
        X509_set_pubkey(x, key);
        X509_NAME_add_entry_by_txt(X509_get_subject_name(x), "CN",
                                   MBSTRING_ASC,
                                   (const unsigned char *)"mx.example.org",
                                   -1, -1, 0);
        X509_set_issuer_name(x, X509_get_subject_name(x));
        ok = X509_sign(x, key, EVP_sha256()) > 0;
    }
    if (ok && (f = fopen(cert_path, "w")) != 0) {
        ok = PEM_write_X509(f, x);
        fclose(f);
    }
    if (ok && (f = fopen(key_path, "w")) != 0) {
        ok = PEM_write_PrivateKey(f, key, 0, 0, 0, 0, 0);
        fclose(f);
    }
    X509_free(x);
    EVP_PKEY_free(key);
    return ok ? 0 : -1;
}

/* read_until - read plaintext until `mark` was seen; 0 or -1 */
static int read_until(int fd, char *buf, size_t size, const char *mark)
{
    size_t len = 0;
    ssize_t n;

    buf[0] = 0;
    while (strstr(buf, mark) == 0) {
        if (len + 1 >= size || (n = read(fd, buf + len, 1)) <= 0)
            return -1;
        len += (size_t)n;
        buf[len] = 0;
    }
    return 0;
}

/* tls_client - the child: STARTTLS with pipelined plaintext; exit 0 when
 * the server behaved */
static void tls_client(int fd)
{
    static const char plain[] = "EHLO c\r\nSTARTTLS\r\nRSET\r\nMAIL FROM:<>\r\n";
    static const char secure[] = "EHLO c\r\nQUIT\r\n";
    char buf[4096];
    size_t len = 0;
    int n;
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    SSL *ssl = SSL_new(ctx);

    signal(SIGPIPE, SIG_IGN);
    if (write(fd, plain, sizeof(plain) - 1) < 0 ||
        read_until(fd, buf, sizeof(buf), "220 2.0.0 Ready to start TLS\r\n") < 0 ||
        strstr(buf, "250-STARTTLS") == 0)
        _exit(2);
    SSL_set_fd(ssl, fd);
    if (SSL_connect(ssl) != 1 || SSL_version(ssl) < TLS1_2_VERSION)
        _exit(3);
    if (SSL_write(ssl, secure, sizeof(secure) - 1) <= 0)
        _exit(4);
    while (len < sizeof(buf) - 1 &&
           (n = SSL_read(ssl, buf + len, (int)(sizeof(buf) - 1 - len))) > 0)
        len += (size_t)n;
    buf[len] = 0;
    /* first answer must be the new EHLO's, not RSET's or MAIL's */
    if (strncmp(buf, "250-mx.example.org\r\n", 20) != 0)
        _exit(5);
    if (strstr(buf, "STARTTLS") != 0 || strstr(buf, "221 2.0.0") == 0 ||
        strstr(buf, "2.1.0") != 0)
        _exit(6);
    _exit(0);
}

static void test_starttls_discards_plaintext(void)
{
    char *dir = testkit_tempdir();
    char cert[512], key[512];
    struct vstring *why = vstring_alloc(64);
    struct smtpd_tls_server *server;
    struct smtpd_config cfg;
    struct fake_backend fb;
    struct smtpd_backend be;
    struct smtpd_client client = {"192.0.2.7", "unknown"};
    struct vstream *stream;
    int sv[2], status = -1, how;
    pid_t pid;

    snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
    snprintf(key, sizeof(key), "%s/key.pem", dir);
    CU_ASSERT_EQUAL_FATAL(make_cert(cert, key), 0);
    server = smtpd_tls_server_create(cert, key, why);
    CU_ASSERT_PTR_NOT_NULL_FATAL(server);
    CU_ASSERT_PTR_NULL(smtpd_tls_server_create(key, cert, why));
    CU_ASSERT(vstring_len(why) > 0);
    script_config(&cfg);
    cfg.tls = server;
    fake_backend_init(&fb, &be);
    CU_ASSERT_EQUAL_FATAL(socketpair(AF_UNIX, SOCK_STREAM, 0, sv), 0);
    if ((pid = fork()) == 0) {
        close(sv[0]);
        tls_client(sv[1]);
    }
    close(sv[1]);
    stream = vstream_fdopen(sv[0], VSTREAM_RW);
    how = smtpd_session_run(stream, &cfg, &client, &be);
    vstream_close(stream);
    waitpid(pid, &status, 0);
    CU_ASSERT_EQUAL(how, SMTPD_SESSION_QUIT);
    CU_ASSERT(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        fprintf(stderr, "tls client status %d\n", WEXITSTATUS(status));
    smtpd_tls_server_free(server);
    vstring_free(why);
    testkit_rmtree(dir);
    free(dir);
}

static const struct testkit_case cases[] = {
    {"STARTTLS discards pipelined plaintext", test_starttls_discards_plaintext},
    {NULL, NULL},
};

TESTKIT_SUITE("smtpd_tls", NULL, NULL, cases)
