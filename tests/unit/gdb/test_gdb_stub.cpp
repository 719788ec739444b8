// The gdb stub's protocol, spoken by the test over TCP to a GdbServer that
// runs a tiny guest on the BT backend: packets and acknowledgments, the
// target description, registers (the x87 tag word made from FXSAVE's),
// memory (unmapped addresses are errors, writes reach the guest), Ctrl-C,
// breakpoints refused by a backend that cannot do them (never an empty
// reply, which would make gdb write int3 into guest memory), kill.
#include <catch2/catch.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>

#include <future>
#include <optional>
#include <string>
#include <thread>

#include "asm_guest.h"
#include "bt86/gdb/gdb_server.h"

using namespace bt86;
namespace ax = asmjit::x86;

namespace {

// gdb's side of the protocol, just enough of it.
class Client {
public:
  explicit Client(uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    REQUIRE(::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  }
  ~Client() { ::close(fd_); }
  void raw(const std::string& bytes) { REQUIRE(::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) == ssize_t(bytes.size())); }
  void send(const std::string& data) {
    unsigned sum = 0;
    for (char c : data) sum += static_cast<uint8_t>(c);
    raw(fmt::format("${}#{:02x}", data, sum & 0xFF));
    REQUIRE(byte() == '+');
  }
  // The next packet's data (acknowledged).
  std::string receive() {
    char c;
    while ((c = byte()) != '$') REQUIRE(c != 0);
    std::string data;
    while ((c = byte()) != '#') data += c;
    byte(), byte();
    raw("+");
    return data;
  }
  std::string ask(const std::string& data) {
    send(data);
    return receive();
  }

private:
  char byte() {
    char c = 0;
    return ::recv(fd_, &c, 1, 0) == 1 ? c : 0;
  }
  int fd_;
};

std::string le32(uint32_t v) { return fmt::format("{:02x}{:02x}{:02x}{:02x}", v & 0xFF, (v >> 8) & 0xFF, (v >> 16) & 0xFF, v >> 24); }

// A Vcpu that can do nothing for a debugger but stop.
class PlainVcpu final : public Vcpu {
public:
  explicit PlainVcpu(Vcpu& inner) : inner_(inner) {}
  using Vcpu::run;
  RunOutcome run(const RunLimits& limits) override { return inner_.run(limits); }
  std::string name() const override { return "plain"; }
  Stats stats() const override { return {}; }
  bool counts_instructions() const override { return false; }
  void interrupt() override { inner_.interrupt(); }

private:
  Vcpu& inner_;
};

struct Served : test::AsmGuest {
  gdb::GdbServer server{0};
  // Serves the guest on `vcpu` while `talk` plays gdb, which connects
  // before the guest starts (start_stopped) or while it runs.
  RunOutcome serve(Vcpu& vcpu, const std::function<void(Client&)>& talk, bool start_stopped = true,
                   double timeout = 20.0) {
    std::future<RunOutcome> outcome =
        std::async(std::launch::async, [&] { return server.run(vcpu, context(), timeout, start_stopped); });
    if (!start_stopped) std::this_thread::sleep_for(std::chrono::milliseconds(100));
    {
      Client gdb(server.port());
      talk(gdb);
    }
    return outcome.get();
  }
};

}  // namespace

TEST_CASE_METHOD(Served, "gdb stub: registers, target description, memory, Ctrl-C, kill", "[gdb]") {
  load([](ax::Assembler& a) {
    a.fld1();                  // st0 = 1.0: one valid x87 register
    a.mov(ax::eax, 0x11223344);
    asmjit::Label self = a.newLabel();
    a.bind(self);
    a.jmp(self);
  });
  BtCpu vcpu(context());
  RunOutcome out = serve(vcpu, [&](Client& gdb) {
    CHECK(gdb.ask("?") == "S05");
    CHECK(gdb.ask("qSupported:multiprocess+;swbreak+").find("qXfer:features:read+") != std::string::npos);
    CHECK(gdb.ask("qAttached") == "1");
    std::string xml, part;
    do {
      part = gdb.ask(fmt::format("qXfer:features:read:target.xml:{:x},200", xml.size()));
      REQUIRE(!part.empty());
      xml += part.substr(1);
    } while (part[0] == 'm');
    CHECK(xml.find("<feature name=\"org.gnu.gdb.i386.core\">") != std::string::npos);
    CHECK(xml.find("<reg name=\"xmm7\"") != std::string::npos);
    CHECK(gdb.ask("p8") == le32(AsmGuest::kCode));          // EIP
    CHECK(gdb.ask("g").size() == 2 * (16 * 4 + 8 * 10 + 8 * 4 + 8 * 16 + 4));
    CHECK(gdb.ask("pa") == le32(0x08));                        // CS
    CHECK(gdb.ask("Pa=" + le32(0x10)) == "E01");              // a selector is not reloaded behind the guest
    CHECK(gdb.ask("m0,4").size() == 8);
    CHECK(gdb.ask("mf0000000,4") == "E14");                    // nothing there: an error, not a device access
    CHECK(gdb.ask(fmt::format("M{:x},4:efbeadde", AsmGuest::kData)) == "OK");
    CHECK(gdb.ask(fmt::format("m{:x},4", AsmGuest::kData)) == "efbeadde");
    CHECK(gdb.ask("s") == "T05");
    CHECK(gdb.ask("p1a") == le32(0x3FFF));  // ftag: physical register 7 (TOP after fld1) valid, the rest empty
    gdb.send("c");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    gdb.raw("\x03");
    CHECK(gdb.receive() == "T02");
    CHECK(gdb.ask("p0") == le32(0x11223344));
    gdb.send("k");
  });
  CHECK(out.exit_status == 0);
  CHECK(ram32(kData) == 0xDEADBEEF);
}

TEST_CASE_METHOD(Served, "gdb stub: a backend without breakpoints refuses them", "[gdb]") {
  load([](ax::Assembler& a) { exit_ok(a); });
  BtCpu bt(context());
  PlainVcpu vcpu(bt);
  RunOutcome out = serve(vcpu, [&](Client& gdb) {
    CHECK(gdb.ask(fmt::format("Z0,{:x},1", AsmGuest::kCode)) == "E01");
    CHECK(gdb.ask(fmt::format("Z2,{:x},4", AsmGuest::kData)) == "E01");
    CHECK(gdb.ask("s") == "E01");
    CHECK(gdb.ask("vCont;c") == "W01");  // the guest's exit status (1) ends the session
  });
  CHECK(out.exit_status == 1);
}

TEST_CASE_METHOD(Served, "gdb stub: a gdb that connects to a running guest stops it", "[gdb]") {
  load([](ax::Assembler& a) {
    asmjit::Label loop = a.newLabel();
    a.bind(loop);
    a.inc(ax::eax);
    a.jmp(loop);
  });
  BtCpu vcpu(context());
  RunOutcome out = serve(
      vcpu,
      [&](Client& gdb) {
        CHECK(gdb.ask("?") == "S05");
        const std::string eax = gdb.ask("p0");
        CHECK(eax != le32(0));  // it ran before gdb came
        CHECK(gdb.ask("p0") == eax);  // and stands still now
        CHECK(gdb.ask("D") == "OK");
      },
      false, 1.0);
  CHECK(out.exit_status == exit_status::kTimeout);  // detached, it ran on until the timeout
}
