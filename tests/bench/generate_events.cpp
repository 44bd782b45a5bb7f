// Writes Slack-shaped events as JSON Lines, the same mix as slack_events.lua: COUNT message
// events over USERS distinct users; one in five is a user_change carrying the user's profile
// with an e-mail that users 2k and 2k+1 share, so merges happen throughout. With `every`, event
// i is of user i mod USERS, so that every user has one (a store of USERS people).
// Usage: generate_events COUNT USERS [every] > events.jsonl
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

int main(int argc, char** argv) {
  const bool every = argc == 4 && std::string(argv[3]) == "every";
  if (argc != 3 && !every) {
    std::fprintf(stderr, "usage: generate_events COUNT USERS [every]\n");
    return 64;
  }
  const long count = std::atol(argv[1]);
  const long users = std::atol(argv[2]);
  std::mt19937_64 random(20261130);
  std::uniform_int_distribution<long> user_of(0, users - 1);
  std::uniform_int_distribution<int> percent(0, 99);
  for (long i = 0; i < count; ++i) {
    const long u = every ? i % users : user_of(random);
    if (percent(random) < 20)
      std::printf(R"({"token":"XXYYZZ","team_id":"T061EG9R6","api_app_id":"A0PNCHHK2","event":{"type":"user_change","user":{"id":"U%07ld","team_id":"T061EG9R6","name":"user%ld","real_name":"User %ld","tz":"Europe/Berlin","profile":{"real_name":"User %ld","display_name":"user%ld","email":"person%ld@example.com"}},"event_ts":"1700000000.%06ld"},"type":"event_callback","event_id":"Ev%010ld","event_time":1700000000})"
                  "\n",
                  u, u, u, u, u, u / 2, i % 1000000, i);
    else
      std::printf(R"({"token":"XXYYZZ","team_id":"T061EG9R6","api_app_id":"A0PNCHHK2","event":{"type":"message","channel":"C0LAN2Q65","user":"U%07ld","text":"Hello world, this is message %ld about the deploy","ts":"1700000100.%06ld","channel_type":"channel"},"type":"event_callback","event_id":"Ev%010ld","event_time":1700000100})"
                  "\n",
                  u, i, i % 1000000, i);
  }
  return 0;
}
