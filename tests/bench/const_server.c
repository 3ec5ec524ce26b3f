/*
 * const_server.c - the ceiling for tests/bench/serve.sh: libmicrohttpd
 * set up as pp-serve sets it up (lib/serve.c, pp_serve_start): one
 * listening socket, one thread accepting on it, and THREADS daemons of
 * one epoll thread each (with the inter-thread channel, the same
 * connection limit shared out, the same timeout and backlog, the same
 * 16 KB memory pool a connection), each new connection handed to the
 * daemon holding the fewest.  It reads the request body and answers
 * one constant V1 prediction from a buffer it keeps.  Whatever pp-serve
 * spends beyond this is routing, JSON, the model, its metrics and its
 * bookkeeping.
 *
 *   const_server PORT THREADS
 */
#include <microhttpd.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAX_CONNS 1024u
#define MAX_THREADS 256u

static const char answer[] = "{\"predictions\":[0.125]}";

static struct MHD_Daemon *d[MAX_THREADS];
static atomic_uint nconn[MAX_THREADS];
static unsigned nd;
static int lfd;
static atomic_int stop;

static enum MHD_Result
handle(void *cls, struct MHD_Connection *c, const char *url,
    const char *method, const char *version, const char *upload,
    size_t *upload_size, void **con_cls)
{
	struct MHD_Response *r;
	enum MHD_Result ok;

	(void)cls, (void)url, (void)method, (void)version, (void)upload;
	if (*con_cls == NULL) {
		*con_cls = c;
		return MHD_YES;
	}
	if (*upload_size > 0) {
		*upload_size = 0;
		return MHD_YES;
	}
	r = MHD_create_response_from_buffer(sizeof(answer) - 1,
	    (void *)answer, MHD_RESPMEM_PERSISTENT);
	MHD_add_response_header(r, "Content-Type", "application/json");
	ok = MHD_queue_response(c, MHD_HTTP_OK, r);
	MHD_destroy_response(r);
	return ok;
}

static void
closed(void *cls, struct MHD_Connection *c, void **ctx,
    enum MHD_ConnectionNotificationCode toe)
{
	(void)c, (void)ctx;
	if (toe == MHD_CONNECTION_NOTIFY_CLOSED)
		atomic_fetch_sub((atomic_uint *)cls, 1);
}

static unsigned
share(unsigned k)
{
	return MAX_CONNS / nd + (k < MAX_CONNS % nd);
}

static void *
acceptor(void *arg)
{
	struct sockaddr_storage sa;
	unsigned next = 0, i, k, n, fewest;
	socklen_t len;
	int fd, best;

	(void)arg;
	while (!atomic_load(&stop)) {
		best = -1;
		fewest = ~0u;
		for (i = 0; i < nd; i++) {
			k = (next + i) % nd;
			n = atomic_load(&nconn[k]);
			if (n < fewest && n < share(k)) {
				fewest = n;
				best = (int)k;
			}
		}
		if (best < 0) {
			usleep(10000);
			continue;
		}
		len = sizeof(sa);
		if ((fd = accept(lfd, (struct sockaddr *)&sa, &len)) == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			break;
		}
		fcntl(fd, F_SETFL, O_NONBLOCK);
		next = ((unsigned)best + 1) % nd;
		atomic_fetch_add(&nconn[best], 1);
		if (MHD_add_connection(d[best], fd, (struct sockaddr *)&sa, len)
		    != MHD_YES)
			atomic_fetch_sub(&nconn[best], 1);
	}
	return NULL;
}

int
main(int argc, char *argv[])
{
	struct sockaddr_in sin;
	pthread_t t;
	sigset_t set;
	unsigned i;
	int sig, one = 1;

	if (argc != 3 || (nd = (unsigned)strtol(argv[2], NULL, 10)) < 1 ||
	    nd > MAX_THREADS) {
		fprintf(stderr, "usage: const_server PORT THREADS\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sin.sin_port = htons((uint16_t)strtol(argv[1], NULL, 10));
	if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1 ||
	    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(lfd, (struct sockaddr *)&sin, sizeof(sin)) ||
	    listen(lfd, 1024)) {
		fprintf(stderr, "const_server: cannot listen on %s\n", argv[1]);
		return 1;
	}
	for (i = 0; i < nd; i++)
		if ((d[i] = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD |
		    MHD_USE_ITC | MHD_USE_NO_LISTEN_SOCKET, 0, NULL, NULL,
		    handle, NULL,
		    MHD_OPTION_CONNECTION_LIMIT, share(i),
		    MHD_OPTION_CONNECTION_TIMEOUT, 10u,
		    MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)16 * 1024,
		    MHD_OPTION_NOTIFY_CONNECTION, closed, &nconn[i],
		    MHD_OPTION_END)) == NULL) {
			fprintf(stderr, "const_server: cannot start a daemon\n");
			return 1;
		}
	pthread_create(&t, NULL, acceptor, NULL);
	sigwait(&set, &sig);
	atomic_store(&stop, 1);
	shutdown(lfd, SHUT_RDWR);
	pthread_join(t, NULL);
	close(lfd);
	for (i = 0; i < nd; i++)
		MHD_stop_daemon(d[i]);
	return 0;
}
