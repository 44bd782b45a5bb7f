-- wrk script: posts SendGrid-shaped Event Webhook batches (JSON arrays) of ITEMS events each
-- (default 100), over PEOPLE recipients (default 100,000); every event has its own sg_event_id,
-- so nothing is a redelivery (RUN tells apart the ids of runs on one server: the warm-up's and
-- the measured one's). Usage: wrk ... -s sendgrid_batches.lua URL -- [ITEMS] [PEOPLE] [RUN]

local items, people, run, sent = 100, 100000, "m", 0
local counter = 0
local kinds = { "processed", "delivered", "open", "click" }

function setup(thread)
  counter = counter + 1
  thread:set("thread_id", counter)
end

function init(args)
  items = tonumber(args[1] or "100")
  people = tonumber(args[2] or "100000")
  run = args[3] or "m"
  math.randomseed(20261207 + (thread_id or 0))
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  sent = sent + 1
  local events = {}
  for i = 1, items do
    local p = math.random(0, people - 1)
    events[i] = string.format(
      '{"email":"person%d@example.com","timestamp":1513299569,"smtp-id":"<14c5d75ce93.dfd.64b469@ismtpd-555>","event":"%s","category":"cat facts","sg_event_id":"sg%s%02d-%d-%d","sg_message_id":"14c5d75ce93.dfd.64b469.filter0001.16648.5515E0B88.0"}',
      p, kinds[(i % 4) + 1], run, thread_id or 0, sent, i)
  end
  return wrk.format(nil, nil, nil, "[" .. table.concat(events, ",") .. "]")
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d seconds=%.3f rps=%.0f p50_ms=%.3f p99_ms=%.3f errors=%d non2xx=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
