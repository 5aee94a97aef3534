/*
 * runtime.h: the process side of a patrol responder: arguments,
 * configuration, and the FastCGI (libfcgi) or plain CGI request loop.
 */
#ifndef PATROL_RUNTIME_H
#define PATROL_RUNTIME_H

/* Runs a responder serving `routes` (an enum patrol_routes) until the web
 * server closes the FastCGI socket, or for exactly one request when started
 * as a CGI program. Returns the process exit status. */
int runtime_main(int argc, char *argv[], int routes, const char *name);

#endif /* PATROL_RUNTIME_H */
