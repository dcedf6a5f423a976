// cascade-fuzz — libFuzzer entry point for the formula pipeline (see Fuzz/README.md).
//
// Built with `-Xswiftc -DFUZZING -Xswiftc -sanitize=fuzzer,address` (scripts/fuzz.sh) it hands
// control to libFuzzer's own driver. SwiftPM replaces libFuzzer's `main` with this file, so a bare
// `@_cdecl("LLVMFuzzerTestOneInput")` would build into a binary that silently does nothing; calling
// `LLVMFuzzerRunDriver` ourselves is what makes the fuzzer run.
//
// Built normally it replays the files (and directories of files) named on the command line through
// the same callback, so a crash artifact can be reproduced in a debugger-friendly build:
//     swift run --scratch-path .build-helper4 cascade-fuzz Fuzz/artifacts/crash-…
import CFuzzDriver

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// libFuzzer's per-input callback: must not capture anything (it is a C function pointer).
let fuzzCallback: @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32 = { data, size in
    let bytes = UnsafeBufferPointer(start: size > 0 ? data : nil, count: size)
    FuzzTarget.run(bytes)
    return 0
}

#if FUZZING
/// libFuzzer's own `main` (replaced by this file, but still linked) references this symbol; the
/// driver below is what actually runs, through the same callback.
@_cdecl("LLVMFuzzerTestOneInput")
package func llvmFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    fuzzCallback(data, size)
}

var argc = CommandLine.argc
var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzCallback))
#else
exit(Replay.main(Array(CommandLine.arguments.dropFirst()), callback: fuzzCallback))
#endif
