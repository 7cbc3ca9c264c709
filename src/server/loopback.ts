/** Which hosts are loopback: the server refuses to bind any other without a token. */
import { BlockList, isIP } from "node:net";

const LOOPBACK = new BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4"); // also matches IPv4-mapped IPv6 (::ffff:127.x.y.z)
LOOPBACK.addAddress("::1", "ipv6");

/** 127.0.0.0/8, ::1, ::ffff:127.x.y.z (any spelling) or localhost; a name like 127.example.com is not. */
export function isLoopback(host: string): boolean {
  const h = host.replace(/^\[(.*)\]$/, "$1");
  if (h.toLowerCase() === "localhost") return true;
  const family = isIP(h);
  return family !== 0 && LOOPBACK.check(h, family === 6 ? "ipv6" : "ipv4");
}
