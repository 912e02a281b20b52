"""The pure centre of the domain: errors, who is asking (Actor), the access policy, the rules
for user text, the public schemas and the domain events. Imports nothing else of ours."""
