/*
 * sender: file and command delivery of one-time codes.
 */
#include "core/sender.h"
#include "lib/log.h"
#include "lib/util.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static pthread_mutex_t file_mu = PTHREAD_MUTEX_INITIALIZER;

static int send_file(const char *path, const char *contact, const char *message)
{
    pthread_mutex_lock(&file_mu);
    int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    int rc = -1;
    if (fd >= 0) {
        char *line = xasprintf("%s\t%s\n", contact, message);
        size_t len = strlen(line);
        rc = write(fd, line, len) == (ssize_t)len ? 0 : -1;
        free(line);
        close(fd);
    }
    pthread_mutex_unlock(&file_mu);
    return rc;
}

static int send_command(const char *path, const char *contact, const char *message)
{
    pid_t pid;
    char *argv[] = {(char *)path, (char *)contact, (char *)message, NULL};
    if (posix_spawn(&pid, path, NULL, NULL, argv, environ) != 0)
        return -1;
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int sender_send(const char *cfg, const char *contact, const char *message)
{
    if (strncmp(cfg, "file:", 5) == 0)
        return send_file(cfg + 5, contact, message);
    if (strncmp(cfg, "command:", 8) == 0)
        return send_command(cfg + 8, contact, message);
    log_error("unknown --otp-sender %s", cfg);
    return -1;
}
