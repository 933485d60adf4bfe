#if canImport(Glibc)
    import Glibc
    import Testing
    import TrellisTesting

    /// The fake server is shared by every provider and CLI test, so stopping it must never crash the test process.
    @Suite struct FakeVendorServerTests {
        /// Connections that are accepted but not yet served when the test body ends used to be dropped by
        /// cancelling the server, which NIO treats as a fatal error; a graceful stop serves them first.
        @Test func stopsCleanlyWithConnectionsStillArriving() async throws {
            for _ in 0..<150 {
                let port = try await FakeVendorServer.withServer { server in
                    for _ in 0..<4 { sendAndHangUp(port: server.port) }
                    return server.port
                }
                #expect(port > 0)
            }
        }

        /// Opens a connection, writes a whole request without waiting for the reply, and closes it.
        private func sendAndHangUp(port: Int) {
            let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(socketDescriptor) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = in_port_t(UInt16(port).bigEndian)
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
                }
            }
            guard connected == 0 else { return }
            let request = "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 2\r\n\r\n{}"
            _ = request.withCString { send(socketDescriptor, $0, strlen($0), 0) }
        }
    }
#endif
