/*
 * const_server.c - the ceiling for tests/bench/serve.sh: libmicrohttpd
 * with the same daemon flags and options as pp-serve (lib/serve.c,
 * pp_serve_start: epoll, a thread pool of THREADS, the inter-thread
 * channel, the same connection limit, timeout and backlog), reading the
 * request body and answering one constant V1 prediction from a buffer it
 * keeps.  Whatever pp-serve spends beyond this is routing, JSON, the
 * model, its metrics and its bookkeeping.
 *
 *   const_server PORT THREADS
 */
#include <microhttpd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char answer[] = "{\"predictions\":[0.125]}";

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

int
main(int argc, char *argv[])
{
	struct MHD_Daemon *d;
	sigset_t set;
	int sig;

	if (argc != 3) {
		fprintf(stderr, "usage: const_server PORT THREADS\n");
		return 2;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL);
	d = MHD_start_daemon(MHD_USE_EPOLL_INTERNAL_THREAD | MHD_USE_ITC,
	    (uint16_t)strtol(argv[1], NULL, 10), NULL, NULL, handle, NULL,
	    MHD_OPTION_THREAD_POOL_SIZE, (unsigned)strtol(argv[2], NULL, 10),
	    MHD_OPTION_CONNECTION_LIMIT, 1024u,
	    MHD_OPTION_CONNECTION_TIMEOUT, 10u,
	    MHD_OPTION_LISTEN_BACKLOG_SIZE, 1024u, MHD_OPTION_END);
	if (d == NULL) {
		fprintf(stderr, "const_server: cannot listen on %s\n", argv[1]);
		return 1;
	}
	sigwait(&set, &sig);
	MHD_stop_daemon(d);
	return 0;
}
