-- wrk script: posts Slack-shaped events over USERS distinct users (default 100,000); one in
-- five is a user_change with an e-mail shared by users 2k and 2k+1, so merges happen
-- throughout. With a second argument, the run stops after that many requests in total.
-- Usage: wrk -t2 -c32 -d10s -s slack_events.lua URL -- [USERS] [TOTAL]

local users, quota, sent, answered = 100000, nil, 0, 0
local counter = 0

function setup(thread)
  counter = counter + 1
  thread:set("thread_id", counter)
end

function init(args)
  users = tonumber(args[1] or "100000")
  if args[2] then quota = math.floor(tonumber(args[2]) / tonumber(args[3] or "1")) end
  math.randomseed(20261130 + (thread_id or 0))
  wrk.method = "POST"
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  sent = sent + 1
  local u = math.random(0, users - 1)
  local id = string.format("Ev%02d%010d", thread_id or 0, sent)
  local body
  if math.random(1, 5) == 1 then
    body = string.format('{"token":"XXYYZZ","team_id":"T061EG9R6","api_app_id":"A0PNCHHK2","event":{"type":"user_change","user":{"id":"U%07d","team_id":"T061EG9R6","name":"user%d","real_name":"User %d","tz":"Europe/Berlin","profile":{"real_name":"User %d","display_name":"user%d","email":"person%d@example.com"}},"event_ts":"1700000000.000100"},"type":"event_callback","event_id":"%s","event_time":1700000000}', u, u, u, u, u, math.floor(u / 2), id)
  else
    body = string.format('{"token":"XXYYZZ","team_id":"T061EG9R6","api_app_id":"A0PNCHHK2","event":{"type":"message","channel":"C0LAN2Q65","user":"U%07d","text":"Hello world, this is message %d about the deploy","ts":"1700000100.000200","channel_type":"channel"},"type":"event_callback","event_id":"%s","event_time":1700000100}', u, sent, id)
  end
  return wrk.format(nil, nil, nil, body)
end

function response(status, headers, body)
  answered = answered + 1
  if quota and answered >= quota then wrk.thread:stop() end
end

function done(summary, latency, requests)
  io.write(string.format("RESULT requests=%d seconds=%.3f rps=%.0f p50_ms=%.3f p99_ms=%.3f errors=%d non2xx=%d\n",
    summary.requests, summary.duration / 1e6, summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000,
    summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout,
    summary.errors.status))
end
