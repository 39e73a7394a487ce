// The pod sandbox ("pause") container of scripts/cluster: holds the pod's
// namespaces open, reaps the zombies of processes that share its PID
// namespace, and exits on SIGINT/SIGTERM. No image registry is reachable
// here, so containerd's sandbox_image is built from this (scripts/images/pause),
// like Kubernetes' own build/pause/linux/pause.c.
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

static void Stop(int sig) {
  _exit(sig == SIGTERM || sig == SIGINT ? 0 : 1);
}

static void Reap(int sig) {
  (void)sig;
  while (waitpid(-1, NULL, WNOHANG) > 0) {
  }
}

int main(void) {
  struct sigaction stop = {.sa_handler = Stop};
  struct sigaction reap = {.sa_handler = Reap, .sa_flags = SA_NOCLDSTOP};
  if (sigaction(SIGINT, &stop, NULL) < 0 || sigaction(SIGTERM, &stop, NULL) < 0 ||
      sigaction(SIGCHLD, &reap, NULL) < 0) {
    return 1;
  }
  for (;;) pause();
}
