"""Ask a running Groundline server through the official ``openai`` client.

    groundline serve &          # or: make run
    python examples/api/ask_openai.py "who denied arms deals?"

Citations come back in the text ("Sources: [1] ...") and as structured data
in the message's extra ``citations`` field.
"""

import sys

from openai import OpenAI

client = OpenAI(base_url="http://127.0.0.1:7860/v1", api_key="not-needed")
question = " ".join(sys.argv[1:]) or "who denied arms deals?"

reply = client.chat.completions.create(model="groundline", messages=[{"role": "user", "content": question}])
message = reply.choices[0].message
print(message.content)
for n, c in enumerate(message.model_extra.get("citations", []), start=1):
    print(f"[{n}] {c['file']} lines {c['start_line']}-{c['end_line']}: {c['quote']}")

print("\nStreaming:")
for chunk in client.chat.completions.create(
    model="groundline", messages=[{"role": "user", "content": question}], stream=True
):
    print(chunk.choices[0].delta.content or "", end="", flush=True)
print()
