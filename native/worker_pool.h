// One persistent helper thread, so a GEMM can use both cores of the machine without paying a thread start per call.
#pragma once
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>

namespace posttrain {

class WorkerPool {
 public:
  using TaskFn = void (*)(void* context, int part);

  // The process-wide pool. Deliberately leaked, with its thread detached, so process exit never waits on it.
  static WorkerPool& Get();

  // Runs fn(context, i) for i in [0, parts) on the calling thread and the helper, each claiming the next unclaimed
  // part, and returns once all are done. A helper that is slow to wake (a busy machine) simply claims fewer parts;
  // the caller never waits for a part nobody started. When another caller (say a second worker_thread) holds the
  // helper, the calling thread runs every part itself.
  void Run(TaskFn fn, void* context, int parts);

 private:
  WorkerPool();
  void HelperLoop();
  // Claims the next part of job `ticket`; -1 when none is left or that job is over.
  int Claim(uint32_t ticket);
  void RunClaimed(uint32_t ticket);

  std::mutex call_mutex_;  // one caller at a time owns the helper
  std::mutex wake_mutex_;
  std::condition_variable wake_;
  bool helper_sleeping_ = false;
  std::atomic<uint32_t> posted_{0};
  // Ticket of the current job (high 32 bits), its part count (next 16) and the next part to hand out (low 16), in
  // one word so a claim can never pair one job's part count with another job's counter.
  std::atomic<uint64_t> claim_{0};
  std::atomic<int> done_{0};
  TaskFn fn_ = nullptr;
  void* context_ = nullptr;
};

}  // namespace posttrain
