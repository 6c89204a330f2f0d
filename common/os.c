/*
 * os.c - clocks and small file-system helpers shared by broker/ and state/.
 */
#include "eddy/common.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int64_t eddy_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t eddy_monotonic_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

int64_t eddy_monotonic_ms(void) { return eddy_monotonic_ns() / 1000000; }

int eddy_mkdirs(const char *path, eddy_err *err)
{
    char buf[4096];
    size_t n = strlen(path);
    if (n == 0 || n >= sizeof buf)
        return eddy_err_set(err, EDDY_EINVAL, "bad directory path '%s'", path);
    memcpy(buf, path, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0755) != 0 && errno != EEXIST)
                return eddy_err_sys(err, "cannot create directory '%s'", buf);
            buf[i] = c;
        }
    }
    struct stat st;
    if (stat(path, &st) != 0)
        return eddy_err_sys(err, "cannot access '%s'", path);
    if (!S_ISDIR(st.st_mode))
        return eddy_err_set(err, EDDY_EIO, "'%s' is not a directory", path);
    return 0;
}

int eddy_rmtree(const char *path, eddy_err *err)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return errno == ENOENT ? 0 : eddy_err_sys(err, "cannot access '%s'", path);
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (!d)
            return eddy_err_sys(err, "cannot open directory '%s'", path);
        struct dirent *e;
        int rc = 0;
        while (rc == 0 && (e = readdir(d)) != NULL) {
            if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
                continue;
            char *child;
            if (asprintf(&child, "%s/%s", path, e->d_name) < 0) {
                rc = eddy_err_set(err, EDDY_ENOMEM, "out of memory");
                break;
            }
            rc = eddy_rmtree(child, err);
            free(child);
        }
        closedir(d);
        if (rc)
            return rc;
        if (rmdir(path) != 0)
            return eddy_err_sys(err, "cannot remove directory '%s'", path);
        return 0;
    }
    if (unlink(path) != 0 && errno != ENOENT)
        return eddy_err_sys(err, "cannot remove '%s'", path);
    return 0;
}

static int fsync_dir_of(const char *path)
{
    char dir[4096];
    size_t n = strlen(path);
    if (n >= sizeof dir)
        return -1;
    memcpy(dir, path, n + 1);
    char *slash = strrchr(dir, '/');
    if (slash == dir)
        slash[1] = '\0';
    else if (slash)
        *slash = '\0';
    else
        strcpy(dir, ".");
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd < 0)
        return -1;
    int rc = fsync(fd);
    close(fd);
    return rc;
}

int eddy_write_file_atomic(const char *path, const void *data, size_t len, eddy_err *err)
{
    char tmp[4096];
    if (snprintf(tmp, sizeof tmp, "%s.tmp", path) >= (int)sizeof tmp)
        return eddy_err_set(err, EDDY_EINVAL, "path too long: '%s'", path);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        return eddy_err_sys(err, "cannot create '%s'", tmp);
    const uint8_t *p = data;
    size_t left = len;
    while (left) {
        ssize_t w = write(fd, p, left);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            int rc = eddy_err_sys(err, "cannot write '%s'", tmp);
            close(fd);
            unlink(tmp);
            return rc;
        }
        p += w;
        left -= (size_t)w;
    }
    if (fsync(fd) != 0) {
        int rc = eddy_err_sys(err, "cannot fsync '%s'", tmp);
        close(fd);
        unlink(tmp);
        return rc;
    }
    close(fd);
    if (rename(tmp, path) != 0) {
        int rc = eddy_err_sys(err, "cannot rename '%s'", tmp);
        unlink(tmp);
        return rc;
    }
    fsync_dir_of(path);
    return 0;
}

int eddy_read_file(const char *path, char **out, size_t *len, eddy_err *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        if (errno == ENOENT)
            return eddy_err_set(err, EDDY_ENOTFOUND, "no such file '%s'", path);
        return eddy_err_sys(err, "cannot open '%s'", path);
    }
    eddy_buf b;
    eddy_buf_init(&b);
    char chunk[65536];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0) {
        if (eddy_buf_append(&b, chunk, n) != 0) {
            fclose(f);
            eddy_buf_free(&b);
            return eddy_err_set(err, EDDY_ENOMEM, "out of memory reading '%s'", path);
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        eddy_buf_free(&b);
        return eddy_err_set(err, EDDY_EIO, "cannot read '%s'", path);
    }
    if (!eddy_buf_cstr(&b)) {
        eddy_buf_free(&b);
        return eddy_err_set(err, EDDY_ENOMEM, "out of memory reading '%s'", path);
    }
    *out = (char *)b.data;
    if (len)
        *len = b.len;
    return 0;
}
