/** Which hosts are loopback: the server refuses to bind any other without a token. */
import type { BlockList } from "node:net";

// node:net loads with the first check, not with rewardkit (the library exports this function).
const net = () => process.getBuiltinModule("node:net") as typeof import("node:net");
let loopback: BlockList | undefined;
function loopbackList(): BlockList {
  if (!loopback) {
    loopback = new (net().BlockList)();
    loopback.addSubnet("127.0.0.0", 8, "ipv4"); // also matches IPv4-mapped IPv6 (::ffff:127.x.y.z)
    loopback.addAddress("::1", "ipv6");
  }
  return loopback;
}

/** 127.0.0.0/8, ::1, ::ffff:127.x.y.z (any spelling) or localhost; a name like 127.example.com is not. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, "$1");
  if (h.toLowerCase() === "localhost") return true;
  const family = net().isIP(h);
  return family !== 0 && loopbackList().check(h, family === 6 ? "ipv6" : "ipv4");
}
